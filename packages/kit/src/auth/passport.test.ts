import { describe, expect, it } from 'vitest';
import { derivePassportKey, mintPassport, verifyPassport } from './passport.ts';
import type { Caller } from './caller.ts';

const root = 'a-root-secret-of-at-least-32-characters!';
const alice: Caller = {
  id: 'alice',
  roles: ['user'],
  permissions: ['orders:*:own'],
  auth: 'jwt',
  sessionId: 's1',
};

describe('passports', () => {
  it('carry the caller to the service they were minted for', () => {
    const key = derivePassportKey(root, 'orders');
    const { token } = mintPassport(key, 'orders', alice);
    expect(verifyPassport(key, 'orders', token)).toEqual({ ok: true, caller: alice });
  });

  it('are refused by another service even with its own valid key', () => {
    const { token } = mintPassport(derivePassportKey(root, 'orders'), 'orders', alice);
    expect(verifyPassport(derivePassportKey(root, 'identity'), 'identity', token)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('are refused when expired, tampered with, missing or malformed', () => {
    const key = derivePassportKey(root, 'orders');
    const old = mintPassport(key, 'orders', alice, { now: Date.now() - 120_000 }).token;
    expect(verifyPassport(key, 'orders', old)).toEqual({ ok: false, reason: 'expired' });
    const { token } = mintPassport(key, 'orders', alice);
    const [p, payload, sig] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['admin'] }),
    ).toString('base64url');
    expect(verifyPassport(key, 'orders', `${p}.${forged}.${sig}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyPassport(key, 'orders', undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyPassport(key, 'orders', 'access_token_1_x')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('derive a different key per service', () => {
    expect(
      derivePassportKey(root, 'orders').export().equals(derivePassportKey(root, 'shipping').export()),
    ).toBe(false);
  });
});
