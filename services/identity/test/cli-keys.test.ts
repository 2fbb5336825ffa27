/** `portico keys rotate` (packages/cli/src/commands/keys.ts) against a running identity and, offline, its storage. */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, startService, type RunningService } from '@portico/kit/runtime';
import {
  httpClient,
  matrixLabel,
  matrixUnavailable,
  openTestBus,
  openTestDatabase,
  testDbKind,
  type TestBus,
  type TestDatabase,
} from '@portico/kit/testing';
import { run } from '../../../packages/cli/src/commands/keys.ts';
import identity from '../src/service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`portico keys (${matrixLabel})`, () => {
  const dataDir = path.join(os.tmpdir(), `identity-cli-${randomBytes(4).toString('hex')}`);
  const secret = randomBytes(32).toString('base64url');
  let svc: RunningService;
  let db: TestDatabase;
  let bus: TestBus;
  const jwksKids = async () =>
    ((await httpClient(svc.url).get('/.well-known/jwks.json')).body.keys as { kid: string }[]).map(
      (k) => k.kid,
    );

  beforeAll(async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'secrets.json'), JSON.stringify({ passportSecret: secret }), {
      mode: 0o600,
    });
    db = await openTestDatabase();
    bus = await openTestBus();
    svc = await startService(identity, {
      db: db.provider,
      bus: bus.bus,
      passportSecret: secret,
      logger: createLogger({ level: 'silent' }),
      env: { PORTICO_ADMIN_PASSWORD: 'cli-test-admin-passphrase', IDENTITY_KEY_RELOAD_SECONDS: '0.2' },
      dataDir: path.join(dataDir, 'identity'),
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await bus?.cleanup();
    await db?.cleanup();
  });

  it('rotates through the running identity: the new key is published at once', async () => {
    const before = await jwksKids();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await run(['rotate', '--url', svc.url, '--data-dir', dataDir, '--activate-in', '120'])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/new signing key .+ \[pending\]/);
      const after = await jwksKids();
      expect(after.length).toBe(before.length + 1);
      log.mockClear();
      expect(await run(['list', '--url', svc.url, '--data-dir', dataDir])).toBe(0);
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
        /pending[\s\S]*active|active[\s\S]*pending/,
      );
    } finally {
      log.mockRestore();
    }
  });

  it('answers usage errors with exit code 2', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await run([])).toBe(2);
      expect(await run(['rotate', '--activate-in', 'soon'])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });

  it.skipIf(testDbKind !== 'postgres')(
    'rotates offline in identity’s PostgreSQL database; the running service picks the key up',
    async () => {
      // The test provider names one database per service; find identity's.
      const store = await db.provider.forService('identity');
      const dbName = (
        await store.db
          .selectNoFrom((eb) => eb.fn<string>('current_database', []).as('n'))
          .executeTakeFirstOrThrow()
      ).n;
      const u = new URL(
        process.env.PORTICO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      );
      u.pathname = `/${dbName}`;
      const before = await jwksKids();
      const env = { DATABASE_URL: process.env.DATABASE_URL };
      process.env.DATABASE_URL = u.toString();
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        expect(await run(['rotate', '--offline', '--data-dir', dataDir, '--activate-in', '0'])).toBe(0);
      } finally {
        log.mockRestore();
        if (env.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
        else process.env.DATABASE_URL = env.DATABASE_URL;
      }
      await expect.poll(jwksKids, { timeout: 5000 }).toHaveLength(before.length + 1);
    },
  );
});
