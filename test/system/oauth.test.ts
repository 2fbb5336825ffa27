/**
 * identity as an OpenID Provider, through the gateway, driven by a relying-party library nobody
 * here wrote (`openid-client`) and a real browser (Debian's chromium via playwright-core) on
 * the sign-in and consent pages. The client's redirect URI is a small server of the test's own
 * that records every request, so the test sees exactly where the provider sent the browser.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { codeFor, enrolledUser } from './totp.ts';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';
function unavailable(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `no browser at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; .ci/run installs it in CI`);
  return reason;
}
const skip = (await systemUnavailable()) ?? unavailable();

describe.skipIf(skip)(`identity as an OpenID provider (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  let user: Session;
  let browser: Browser;
  let spa: oidc.Configuration;
  let clientId: string;
  let REDIRECT: string;
  let callbacks: Server;
  /** Every request that reached the client's redirect URI. */
  const arrived: string[] = [];

  beforeAll(async () => {
    callbacks = createServer((req, res) => {
      // The browser also asks for /favicon.ico: only the callback counts.
      if (req.url?.startsWith('/callback'))
        arrived.push(`${REDIRECT.slice(0, REDIRECT.indexOf('/', 8))}${req.url}`);
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>back at the client</p>');
    });
    await new Promise<void>((r) => callbacks.listen(0, '127.0.0.1', r));
    REDIRECT = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/callback`;
    sys = await startSystem({ services: ['identity', 'tasks'] });
    admin = await sys.admin();
    user = await sys.signUp();
    const created = await admin.client.post('/api/v1/oauth-clients', {
      name: 'Test SPA',
      type: 'public',
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: [`${REDIRECT}/signed-out`],
      grant_types: ['authorization_code', 'refresh_token'],
      scopes: ['profile', 'tasks:read', 'users:read'],
    });
    expect(created.status).toBe(201);
    clientId = (created.body as { client_id: string }).client_id;
    spa = await oidc.discovery(new URL(sys.url), clientId, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 180_000);
  afterAll(async () => {
    callbacks?.close();
    await browser?.close();
    await sys?.stop();
  });

  /** A fresh authorization request: its URL and the checks its answer must pass. */
  async function authorizationRequest(params: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(spa, {
      redirect_uri: REDIRECT,
      scope: 'openid profile offline_access',
      prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...params,
    });
    return { url, verifier, state, nonce };
  }

  /** A phone-sized page in a fresh browser context; `redirects` grows as the client is reached. */
  async function clientPage(): Promise<{ page: Page; redirects: string[] }> {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    arrived.length = 0;
    return { page, redirects: arrived };
  }

  /** Signs in and allows on the provider's pages; returns the URL the browser came back to. */
  async function signInAndAllow(
    page: Page,
    url: URL,
    redirects: string[],
    who: Session = user,
    secondStep?: (page: Page) => Promise<void>,
  ): Promise<URL> {
    await page.goto(url.href);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await secondStep?.(page);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.href.startsWith(REDIRECT));
    return new URL(redirects.at(-1)!);
  }

  /** The whole flow in a fresh browser: sign in, allow, exchange the code (openid-client's checks). */
  async function signedIn(params: Record<string, string> = {}) {
    const { page, redirects } = await clientPage();
    const req = await authorizationRequest(params);
    const tokens = await oidc.authorizationCodeGrant(spa, await signInAndAllow(page, req.url, redirects), {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    });
    return { page, tokens };
  }

  it('completes authorization code + PKCE through sign-in and consent; the access token works at the gateway', async () => {
    const { page, redirects } = await clientPage();
    const req = await authorizationRequest();
    const signIn = await page.goto(req.url.href);
    expect(signIn?.status()).toBe(200);
    // Strict CSP: no script, nothing from elsewhere.
    const csp = (await signIn!.allHeaders())['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    const back = await signInAndAllow(page, req.url, redirects);
    expect(back.searchParams.get('state')).toBe(req.state);

    const tokens = await oidc.authorizationCodeGrant(spa, back, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    });
    // openid-client has checked the ID token's signature (JWKS), issuer, audience and nonce.
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(user.id);
    expect(claims.iss).toBe(sys.url);
    expect(tokens.refresh_token).toBeTruthy();

    const at = decodeJwt(tokens.access_token);
    expect(at).toMatchObject({ sub: user.id, client_id: clientId, aud: 'portico', roles: ['user'] });
    // Only what the user holds: `users:read` was allowed for the client but the user lacks it.
    expect(String(at.scope).split(' ').sort()).toEqual(['profile']);

    const me = await sys.withToken(tokens.access_token).get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, email: user.email });
    // Scoped like an API key: nothing beyond its scopes, even what the user could do.
    expect((await sys.withToken(tokens.access_token).get('/api/v1/tasks')).status).toBe(403);
  });

  it('remembers consent per client and scope: the next sign-in in that browser skips both pages', async () => {
    const { page, redirects } = await clientPage();
    await signInAndAllow(page, (await authorizationRequest()).url, redirects);
    const again = await authorizationRequest({ scope: 'openid profile', prompt: '' });
    again.url.searchParams.delete('prompt');
    await page.goto(again.url.href);
    await page.waitForURL((u) => u.href.startsWith(REDIRECT));
    const back = new URL(redirects.at(-1)!);
    expect(back.searchParams.get('code')).toBeTruthy();
    const consents = await user.client.get('/api/v1/auth/consents');
    expect(consents.body).toMatchObject({ data: [{ client_id: clientId }] });
  });

  it('gives openid-client what its OpenID checks need: state, issuer (RFC 9207) and nonce each refused when wrong', async () => {
    const { page, redirects } = await clientPage();
    const req = await authorizationRequest();
    const back = await signInAndAllow(page, req.url, redirects);
    expect(back.searchParams.get('iss')).toBe(sys.url);
    const checks = { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce };
    const code = (e: unknown) => (e as { code?: string }).code;

    const wrongState = await oidc
      .authorizationCodeGrant(spa, back, { ...checks, expectedState: oidc.randomState() })
      .catch((e: unknown) => e);
    expect(code(wrongState)).toBe('OAUTH_INVALID_RESPONSE');
    const forgedIssuer = new URL(back);
    forgedIssuer.searchParams.set('iss', 'http://127.0.0.1:1');
    const wrongIssuer = await oidc.authorizationCodeGrant(spa, forgedIssuer, checks).catch((e: unknown) => e);
    expect(code(wrongIssuer)).toBe('OAUTH_INVALID_RESPONSE');
    // Only now is the code spent: the ID token's nonce differs from the one expected.
    const wrongNonce = await oidc
      .authorizationCodeGrant(spa, back, { ...checks, expectedNonce: oidc.randomNonce() })
      .catch((e: unknown) => e);
    expect(code(wrongNonce)).toBe('OAUTH_JWT_CLAIM_COMPARISON_FAILED');
    // A code is used once.
    const again = await oidc.authorizationCodeGrant(spa, back, checks).catch((e: unknown) => e);
    expect((again as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('refuses a wrong code verifier with invalid_grant', async () => {
    const { page, redirects } = await clientPage();
    const req = await authorizationRequest();
    const back = await signInAndAllow(page, req.url, redirects);
    const err = await oidc
      .authorizationCodeGrant(spa, back, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: req.state,
        expectedNonce: req.nonce,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oidc.ResponseBodyError);
    expect((err as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('refuses a redirect URI one character off before any redirect', async () => {
    const { page, redirects } = await clientPage();
    const req = await authorizationRequest({ redirect_uri: `${REDIRECT.slice(0, -1)}K` });
    const res = await page.goto(req.url.href);
    expect(res?.status()).toBe(400);
    expect(await page.locator('body').innerText()).toContain('redirect_uri');
    expect(redirects).toEqual([]);
    // Without a browser: no Location at all.
    const raw = await fetch(req.url, { redirect: 'manual' });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('location')).toBeNull();
  });

  it('refuses PKCE `plain` and requests without PKCE', async () => {
    const req = await authorizationRequest({ code_challenge_method: 'plain' });
    const plain = await fetch(req.url, { redirect: 'manual' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const none = await authorizationRequest();
    none.url.searchParams.delete('code_challenge');
    none.url.searchParams.delete('code_challenge_method');
    const missing = await fetch(none.url, { redirect: 'manual' });
    expect(new URL(missing.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('rotates refresh tokens; presenting a spent one revokes the family at the gateway', async () => {
    const { tokens: first } = await signedIn();
    const second = await oidc.refreshTokenGrant(spa, first.refresh_token!);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await sys.withToken(second.access_token).get('/api/v1/auth/me')).status).toBe(200);

    const reuse = await oidc.refreshTokenGrant(spa, first.refresh_token!).catch((e: unknown) => e);
    expect((reuse as oidc.ResponseBodyError).error).toBe('invalid_grant');
    const after = await oidc.refreshTokenGrant(spa, second.refresh_token!).catch((e: unknown) => e);
    expect((after as oidc.ResponseBodyError).error).toBe('invalid_grant');
    await sys.eventually(
      async () => (await sys.withToken(second.access_token).get('/api/v1/auth/me')).status === 401,
      5_000,
    );
  });

  it('honours revocation of an access token at the gateway within seconds (RFC 7009)', async () => {
    const { tokens } = await signedIn();
    expect((await sys.withToken(tokens.access_token).get('/api/v1/auth/me')).status).toBe(200);
    await oidc.tokenRevocation(spa, tokens.access_token);
    await sys.eventually(
      async () => (await sys.withToken(tokens.access_token).get('/api/v1/auth/me')).status === 401,
      5_000,
    );
    // The refresh token (another grant artifact) still works: only the access token was revoked.
    const next = await oidc.refreshTokenGrant(spa, tokens.refresh_token!);
    expect((await sys.withToken(next.access_token).get('/api/v1/auth/me')).status).toBe(200);
  });

  it('signs out (RP-initiated logout): the session’s grant is revoked at the gateway', async () => {
    const { page, tokens } = await signedIn({ scope: 'openid profile' });
    expect((await sys.withToken(tokens.access_token).get('/api/v1/auth/me')).status).toBe(200);
    const end = oidc.buildEndSessionUrl(spa, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${REDIRECT}/signed-out`,
    });
    await page.goto(end.href);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${REDIRECT}/signed-out`));
    await sys.eventually(
      async () => (await sys.withToken(tokens.access_token).get('/api/v1/auth/me')).status === 401,
      5_000,
    );
  });

  it('client credentials: a service account with tasks:read lists tasks and gets 403 creating one', async () => {
    const created = await admin.client.post('/api/v1/oauth-clients', {
      name: 'Reporting job',
      type: 'confidential',
      grant_types: ['client_credentials'],
      scopes: ['tasks:read'],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { client_id, client_secret } = created.body as { client_id: string; client_secret: string };
    expect(client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Shown once: never again.
    const read = await admin.client.get(`/api/v1/oauth-clients/${client_id}`);
    expect(JSON.stringify(read.body)).not.toContain(client_secret);

    const service = await oidc.discovery(
      new URL(sys.url),
      client_id,
      undefined,
      oidc.ClientSecretBasic(client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const { access_token } = await oidc.clientCredentialsGrant(service, { scope: 'tasks:read' });
    expect(decodeJwt(access_token)).toMatchObject({ sub: client_id, client_id, scope: 'tasks:read' });
    const job = sys.withToken(access_token);
    const list = await job.get('/api/v1/tasks');
    expect(list.status).toBe(200);
    const create = await job.post('/api/v1/tasks', { title: 'not allowed' });
    expect(create.status).toBe(403);
    expect(create.headers.get('content-type')).toContain('application/problem+json');

    // RFC 7662 for resource servers: the confidential client introspects its token.
    const info = await oidc.tokenIntrospection(service, access_token);
    expect(info).toMatchObject({ active: true, client_id, scope: 'tasks:read' });

    const wrong = await oidc
      .discovery(new URL(sys.url), client_id, undefined, oidc.ClientSecretBasic(`${client_secret}x`), {
        execute: [oidc.allowInsecureRequests],
      })
      .then((c) => oidc.clientCredentialsGrant(c, { scope: 'tasks:read' }))
      .catch((e: unknown) => e);
    // 401 with the error in its Basic challenge (RFC 6749 §5.2).
    expect(wrong).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    const [challenge] = (wrong as oidc.WWWAuthenticateChallengeError).cause;
    expect(challenge).toMatchObject({ scheme: 'basic', parameters: { error: 'invalid_client' } });
  });

  describe('second factor (TOTP)', () => {
    it('the sign-in page asks for the code after the password, refuses a wrong one, and continues with a right one', async () => {
      const { who, secret } = await enrolledUser(sys);
      const { page, redirects } = await clientPage();
      const req = await authorizationRequest();
      const back = await signInAndAllow(page, req.url, redirects, who, async (p) => {
        await p.getByRole('heading', { name: 'Two-step verification' }).waitFor();
        await p.getByLabel('Code').fill(await codeFor(secret, -120));
        await p.getByRole('button', { name: 'Verify' }).click();
        await p.getByRole('alert').waitFor();
        expect(await p.getByRole('alert').textContent()).toMatch(/not correct/);
        await p.getByLabel('Code').fill(await codeFor(secret, 1));
        await p.getByRole('button', { name: 'Verify' }).click();
      });
      const tokens = await oidc.authorizationCodeGrant(spa, back, {
        pkceCodeVerifier: req.verifier,
        expectedState: req.state,
        expectedNonce: req.nonce,
      });
      expect(tokens.claims()!.sub).toBe(who.id);
      const me = await sys.withToken(tokens.access_token).get('/api/v1/auth/me');
      expect(me.body).toMatchObject({ id: who.id, mfa: { totp: true } });
    });
  });

  describe('second factor in the console', () => {
    it('the console asks for the code after the password and signs in with it', async () => {
      const { who, secret } = await enrolledUser(sys);
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${sys.url}/console`);
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const code = page.getByLabel('Code');
      await code.waitFor();
      expect(await code.inputValue()).toBe(''); // the password typed before is not carried over
      await code.fill(await codeFor(secret, -120));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/not correct/);
      await code.fill(await codeFor(secret, 1));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.context().close();
    });
  });

  describe('client administration', () => {
    it('is for admins only, validates what may be registered, and is audited', async () => {
      const nobody = await user.client.post('/api/v1/oauth-clients', {
        name: 'Mine',
        type: 'public',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        scopes: [],
      });
      expect(nobody.status).toBe(403);

      const bad = await admin.client.post('/api/v1/oauth-clients', {
        name: 'Bad',
        type: 'public',
        redirect_uris: ['http://evil.example/cb', 'https://ok.example/cb#frag'],
        grant_types: ['authorization_code', 'client_credentials'],
        scopes: ['tasks:read'],
      });
      expect(bad.status).toBe(422);
      const fields = (bad.body as { errors: { field: string; code: string }[] }).errors.map(
        (e) => `${e.field} ${e.code}`,
      );
      expect(fields).toEqual(
        expect.arrayContaining([
          'redirect_uris.0 insecure_uri',
          'redirect_uris.1 invalid_uri',
          'grant_types not_permitted',
        ]),
      );

      const patched = await admin.client.patch(`/api/v1/oauth-clients/${clientId}`, { name: 'Test SPA 2' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ client_id: clientId, name: 'Test SPA 2', type: 'public' });
      const audit = await admin.client.get('/api/v1/audit-logs?action=oauth_client.updated');
      expect(audit.body).toMatchObject({ data: [{ target: clientId, actor_id: admin.id }] });
    });

    it('deleting a client revokes its own tokens at the gateway; withdrawing consent revokes a user’s', async () => {
      const created = await admin.client.post('/api/v1/oauth-clients', {
        name: 'Short-lived job',
        type: 'confidential',
        grant_types: ['client_credentials'],
        scopes: ['tasks:read'],
      });
      const { client_id, client_secret } = created.body as { client_id: string; client_secret: string };
      const service = await oidc.discovery(
        new URL(sys.url),
        client_id,
        undefined,
        oidc.ClientSecretBasic(client_secret),
        { execute: [oidc.allowInsecureRequests] },
      );
      const { access_token } = await oidc.clientCredentialsGrant(service, { scope: 'tasks:read' });
      expect((await sys.withToken(access_token).get('/api/v1/tasks')).status).toBe(200);
      expect((await admin.client.delete(`/api/v1/oauth-clients/${client_id}`)).status).toBe(204);
      await sys.eventually(
        async () => (await sys.withToken(access_token).get('/api/v1/tasks')).status === 401,
        5_000,
      );
      expect((await admin.client.get(`/api/v1/oauth-clients/${client_id}`)).status).toBe(404);

      const { tokens } = await signedIn();
      expect((await user.client.delete(`/api/v1/auth/consents/${clientId}`)).status).toBe(204);
      await sys.eventually(
        async () => (await sys.withToken(tokens.access_token).get('/api/v1/auth/me')).status === 401,
        5_000,
      );
      const refreshed = await oidc.refreshTokenGrant(spa, tokens.refresh_token!).catch((e: unknown) => e);
      expect((refreshed as oidc.ResponseBodyError).error).toBe('invalid_grant');
    });
  });
});
