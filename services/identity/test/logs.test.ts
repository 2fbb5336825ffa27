/**
 * No password, token or key in any log line: the service runs with a captured logger at
 * debug level through every flow that handles secrets, and the capture is searched for them.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '@portico/kit';
import {
  createLogger,
  derivePassportKey,
  mintPassport,
  PASSPORT_HEADER,
  startService,
  type RunningService,
} from '@portico/kit/runtime';
import { API_KEY_VERIFY_PATH } from '@portico/contracts';
import {
  httpClient,
  matrixLabel,
  matrixUnavailable,
  openTestBus,
  openTestDatabase,
  type TestBus,
  type TestDatabase,
} from '@portico/kit/testing';
import identity from '../src/service.ts';
import { callerOf } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`identity logs (${matrixLabel})`, () => {
  const lines: string[] = [];
  let svc: RunningService;
  let db: TestDatabase;
  let bus: TestBus;
  const secret = randomBytes(32).toString('hex');
  const adminPassword = 'log-test-admin-passphrase';
  const as = (caller: Caller | null) => {
    const key = derivePassportKey(secret, 'identity');
    const c: Caller = caller ?? { id: null, roles: [], permissions: [], auth: 'anonymous' };
    return httpClient(svc.url, () => ({ [PASSPORT_HEADER]: mintPassport(key, 'identity', c).token }));
  };

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    db = await openTestDatabase();
    bus = await openTestBus();
    svc = await startService(identity, {
      db: db.provider,
      bus: bus.bus,
      passportSecret: secret,
      logger: createLogger({ level: 'debug', destination: stream }),
      env: {
        PORTICO_ADMIN_EMAIL: 'logs@identity.test',
        PORTICO_ADMIN_PASSWORD: adminPassword,
        IDENTITY_KEY_ACTIVATION_DELAY_SECONDS: '0',
      },
      dataDir: path.join(os.tmpdir(), `identity-logs-${randomBytes(4).toString('hex')}`),
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await bus?.cleanup();
    await db?.cleanup();
  });

  it('never writes a password, a token or an API key to the log', async () => {
    const anon = as(null);
    const password = 'a-password-that-must-not-be-logged';
    const email = `logs.${Date.now()}@example.test`;
    await anon.post('/api/v1/auth/register', { email, password, full_name: 'Log' });
    await anon.post('/api/v1/auth/register', { email, password, full_name: 'Dup' }); // taken: 201 lookalike
    await anon.post('/api/v1/auth/login', { email, password: 'wrong-password-not-logged' });
    const login = await anon.post('/api/v1/auth/login', { email, password });
    const user = as(callerOf(login.body.access_token));
    const refreshed = await anon.post('/api/v1/auth/refresh', { refresh_token: login.body.refresh_token });
    await anon.post('/api/v1/auth/refresh', { refresh_token: login.body.refresh_token }); // reuse
    const again = await anon.post('/api/v1/auth/login', { email, password });
    const me = as(callerOf(again.body.access_token));
    await me.post('/api/v1/auth/password', {
      current_password: password,
      new_password: 'another-password-not-logged',
    });
    const key = await me.post('/api/v1/api-keys', { name: 'k' });
    await as({ id: null, roles: [], permissions: [], auth: 'service', service: 'gateway' }).post(
      API_KEY_VERIFY_PATH,
      { key: key.body.key },
    );
    await me.delete(`/api/v1/api-keys/${key.body.id}`);
    await me.post('/api/v1/auth/logout', { refresh_token: again.body.refresh_token });
    await user.get('/api/v1/auth/me');
    await httpClient(svc.url).post('/api/v1/auth/login', { email, password }); // no passport: refused and logged
    await svc.flushOutbox();

    expect(lines.length).toBeGreaterThan(0);
    const text = lines.join('\n');
    for (const s of [
      password,
      adminPassword,
      'wrong-password-not-logged',
      'another-password-not-logged',
      login.body.access_token,
      login.body.refresh_token,
      refreshed.body.refresh_token,
      again.body.access_token,
      again.body.refresh_token,
      key.body.key,
    ]) {
      expect(text).not.toContain(s);
    }
    expect(text).not.toMatch(/\$argon2id\$/);
  });
});
