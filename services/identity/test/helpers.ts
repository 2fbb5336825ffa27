/** Shared set-up for identity's service-level tests: the service on the matrix, and callers made from its own tokens. */
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { permissionsForRoles, type Caller, type EventEnvelope } from '@portico/kit';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@portico/contracts';
import { startTestServices, type TestClient, type TestServices } from '@portico/kit/testing';
import identity from '../src/service.ts';

export const ADMIN_EMAIL = 'root@identity.test';
export const ADMIN_PASSWORD = 'correct horse battery staple 42';

export async function startIdentity(env: Record<string, string> = {}): Promise<TestServices> {
  return startTestServices([identity], {
    env: {
      PORTICO_ADMIN_EMAIL: ADMIN_EMAIL,
      PORTICO_ADMIN_PASSWORD: ADMIN_PASSWORD,
      IDENTITY_KEY_ACTIVATION_DELAY_SECONDS: '0',
      IDENTITY_KEY_RELOAD_SECONDS: '0.5',
      ...env,
    },
  });
}

/** The caller the gateway would vouch for after verifying `accessToken`. */
export function callerOf(accessToken: string): Caller {
  const c = decodeJwt(accessToken) as JWTPayload & { roles: string[]; sid: string };
  return {
    id: c.sub!,
    roles: c.roles,
    permissions: permissionsForRoles(c.roles),
    auth: 'jwt',
    sessionId: c.sid,
  };
}

export interface Session {
  id: string;
  email: string;
  password: string;
  access_token: string;
  refresh_token: string;
  client: TestClient;
}

let n = 0;
export function uniqueEmail(tag = 'user'): string {
  return `${tag}.${Date.now().toString(36)}.${n++}@example.test`;
}

/** Registers and logs in a fresh user. */
export async function signUp(env: TestServices, roles?: string[]): Promise<Session> {
  const anon = env.as('identity', null);
  const email = uniqueEmail();
  const password = `a-long-unusual-passphrase-${n}`;
  const reg = await anon.post('/api/v1/auth/register', { email, password, full_name: 'Test User' });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  if (roles) {
    const admin = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
    const r = await admin.client.put(`/api/v1/users/${reg.body.id}/roles`, { roles });
    if (r.status !== 200) throw new Error(`roles: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return login(env, email, password);
}

export async function login(env: TestServices, email: string, password: string): Promise<Session> {
  const res = await env.as('identity', null).post('/api/v1/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    email,
    password,
    access_token: res.body.access_token,
    refresh_token: res.body.refresh_token,
    client: env.as('identity', callerOf(res.body.access_token)),
  };
}

/** Verifies an access token the way the gateway does: against identity's JWKS. */
export async function verifyAccessToken(env: TestServices, token: string) {
  const jwks = await env.as('identity', null).get('/.well-known/jwks.json');
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks.body), {
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    algorithms: ['ES256'],
  });
  return { payload, protectedHeader };
}

/** Collects events of `types` from the real bus (a test-only durable consumer). */
export async function collectEvents(env: TestServices, types: string[]) {
  const events: EventEnvelope<any>[] = [];
  const sub = await env.bus.subscribe(
    { consumer: `identity-test-${randomBytes(4).toString('hex')}`, types },
    async (e) => {
      events.push(e);
    },
  );
  return {
    events,
    /** Waits until an event matching `pred` arrived (flushing identity's outbox first). */
    async find(pred: (e: EventEnvelope<any>) => boolean): Promise<EventEnvelope<any>> {
      await env.services.get('identity')!.flushOutbox();
      return env.eventually(async () => events.find(pred));
    },
    stop: () => sub.stop(),
  };
}

/** Audit entries as the admin route returns them (newest first). */
export async function auditEntries(admin: Session, query = ''): Promise<any[]> {
  const res = await admin.client.get(`/api/v1/audit-logs?limit=100${query}`);
  if (res.status !== 200) throw new Error(`audit: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}
