import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '@portico/kit';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '@portico/kit/testing';
import { countsService, failingOwners, notesService } from '../../kit/test/fixtures/notes-service.ts';

const skip = await matrixUnavailable();
const main = path.resolve(import.meta.dirname, '../src/main.ts');

function portico(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe.skipIf(skip)(`portico dead-letters (${matrixLabel})`, () => {
  let env: TestServices;
  let cliEnv: Record<string, string>;
  beforeAll(async () => {
    env = await startTestServices([notesService, countsService]);
    cliEnv = {
      PORTICO_PASSPORT_SECRET: env.secret,
      PORTICO_UPSTREAM_COUNTS: env.services.get('counts')!.url,
      PORTICO_UPSTREAM_NOTES: env.services.get('notes')!.url,
    };
  });
  afterAll(() => env?.stop());

  it('lists a parked event and replays it once the handler is fixed', async () => {
    failingOwners.add('cli-owner');
    const event = makeEvent('notes', 'note.created', { note_id: 'n-cli', owner_id: 'cli-owner' });
    await env.bus.publish(event);
    const [parked] = await env.eventually(async () => {
      const rows = (await env.services.get('counts')!.deadLetters.list()).filter(
        (d) => d.event_id === event.id,
      );
      return rows.length ? rows : null;
    });

    const listed = await portico(['dead-letters', 'list', '--service', 'counts'], cliEnv);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(parked!.id);
    expect(listed.out).toContain('note.created');

    failingOwners.delete('cli-owner');
    const replayed = await portico(['dead-letters', 'replay', parked!.id, '--service', 'counts'], cliEnv);
    expect(replayed.code).toBe(0);
    expect(replayed.out).toContain('"status":"replayed"');
    expect((await env.as('counts', userCaller('x')).get('/api/v1/counts/cli-owner')).body.n).toBe(1);

    const after = await portico(['dead-letters', 'list', '--service', 'counts'], cliEnv);
    expect(after.out).not.toContain(parked!.id);
    // Three CLI processes, each loading the kit: on a busy 2-core machine that alone can pass 30 s.
  }, 90_000);

  it('refuses the operator routes to anyone but the CLI', async () => {
    const res = await env.as('counts', userCaller('admin-1', ['admin'])).get('/internal/dead-letters');
    expect(res.status).toBe(404);
  });
});
