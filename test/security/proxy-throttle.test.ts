/**
 * OWASP API4 (unrestricted resource consumption) and API8 (security misconfiguration): the
 * throttles behind a proxy. The client address travels from the gateway to identity inside the
 * signed passport, so identity's login throttle keys on the real client, not on the proxy; and
 * out of the box no proxy is trusted, so a client cannot pick its own throttle identity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from '../system/harness.ts';

const skip = await systemUnavailable();

const wrongLogin = (sys: System, email: string, xff?: string) =>
  sys.anonymous.post(
    '/api/v1/auth/login',
    { email, password: 'not-the-password-at-all' },
    xff ? { 'x-forwarded-for': xff } : {},
  );

describe.skipIf(skip)(`login throttles behind a trusted proxy (${systemMode})`, () => {
  let sys: System;
  beforeAll(async () => {
    // The test client connects from 127.0.0.1: here it plays the trusted proxy.
    sys = await startSystem({
      services: ['identity'],
      configure: (doc) => {
        doc.trusted_proxies = ['127.0.0.1'];
      },
    });
  }, 180_000);
  afterAll(() => sys?.stop());

  it('110 wrong logins from varied clients do not lock a fresh user out', async () => {
    const fresh = await sys.signUp();
    const statuses: number[] = [];
    for (let i = 0; i < 110; i++) {
      const res = await wrongLogin(sys, `nobody-${i}@example.test`, `203.0.113.${i % 250}, 10.1.${i}.1`);
      statuses.push(res.status);
    }
    // Every client made few attempts: none is throttled, each is a plain wrong password.
    expect(new Set(statuses)).toEqual(new Set([401]));
    const ok = await sys.anonymous.post(
      '/api/v1/auth/login',
      { email: fresh.email, password: fresh.password },
      { 'x-forwarded-for': '198.51.100.200' },
    );
    expect(ok.status).toBe(200);
  });

  it('guesses against one account lock it for the guessing address only', async () => {
    const victim = await sys.signUp();
    const attacker = '198.51.100.7';
    for (let i = 0; i < 5; i++) expect((await wrongLogin(sys, victim.email, attacker)).status).toBe(401);
    const locked = await wrongLogin(sys, victim.email, attacker);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    // Even the right password is refused from the locked address...
    const fromAttacker = await sys.anonymous.post(
      '/api/v1/auth/login',
      { email: victim.email, password: victim.password },
      { 'x-forwarded-for': attacker },
    );
    expect(fromAttacker.status).toBe(429);
    // ...but the owner, elsewhere, signs in.
    const owner = await sys.anonymous.post(
      '/api/v1/auth/login',
      { email: victim.email, password: victim.password },
      { 'x-forwarded-for': '198.51.100.8' },
    );
    expect(owner.status).toBe(200);
  });

  it('the audit log records the client address the proxy reported, not the proxy', async () => {
    const email = `audited-${Date.now()}@example.test`;
    await wrongLogin(sys, email, '192.0.2.55');
    const admin = await sys.admin();
    const entries = await sys.eventually(async () => {
      const res = await admin.client.get('/api/v1/audit-logs?action=auth.login&limit=100');
      const hit = (res.body.data as { ip: string | null; details: { email?: string } }[]).filter(
        (e) => e.details?.email === email,
      );
      return hit.length > 0 ? hit : null;
    });
    expect(entries.map((e) => e.ip)).toEqual(['192.0.2.55']);
  });
});

describe.skipIf(skip)(`no proxy is trusted by default (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  beforeAll(async () => {
    // The shipped configuration, limits included: `login` allows 10 attempts a minute per client.
    sys = await startSystem({ services: ['identity'], realLimits: true });
    admin = await sys.admin();
  }, 180_000);
  afterAll(() => sys?.stop());

  it('X-Forwarded-For from a local client does not choose its rate-limit identity', async () => {
    const answers: { status: number; detail?: string }[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await wrongLogin(sys, `spoof-${i}@example.test`, `203.0.113.${i + 1}`);
      answers.push({ status: res.status, detail: (res.body as { detail?: string }).detail });
    }
    // Ten a minute from this one client (the admin's sign-in in beforeAll spent one): the
    // varying header does not make each attempt a new client, so the gateway's limit answers.
    const first = answers.findIndex((a) => a.status === 429);
    expect(first, JSON.stringify(answers.map((a) => a.status))).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(10);
    expect(answers.slice(0, first).every((a) => a.status === 401)).toBe(true);
    for (const a of answers.slice(first)) {
      expect(a.status).toBe(429);
      expect(a.detail).toMatch(/Rate limit "login"/);
    }
  });

  it('nor escape the per-account throttle', async () => {
    // The login limit above is spent for this client; identity's own throttle is checked via
    // its audit trail instead: the recorded address is the peer, whatever the header says.
    const res = await admin.client.get('/api/v1/audit-logs?action=auth.login&limit=100');
    const spoofed = (res.body.data as { ip: string | null; details: { email?: string } }[]).filter((e) =>
      e.details?.email?.startsWith('spoof-'),
    );
    expect(spoofed.length).toBeGreaterThan(0);
    for (const e of spoofed) expect(e.ip).not.toMatch(/^203\.0\.113\./);
  });
});
