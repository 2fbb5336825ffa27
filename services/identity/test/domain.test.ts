import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminRemovalRefusal } from '../src/domain/admin-guard.ts';
import { effectiveScopes, uncoveredScopes } from '../src/domain/api-key-scopes.ts';
import { normaliseEmail } from '../src/domain/email.ts';
import { commonPasswords, passwordProblems } from '../src/domain/password-policy.ts';
import { commonPasswordPatterns } from '../src/domain/common-password-patterns.ts';
import { looksLikeApiKey, newApiKey, newRefreshToken, sha256 } from '../src/domain/secrets.ts';
import { decryptSecret, encryptSecret, parseKek } from '../src/crypto/key-encryption.ts';
import { keySchedule } from '../src/crypto/key-schedule.ts';
import { scrubDetails } from '../src/domain/audit.ts';

describe('password policy', () => {
  const check = (p: string, minLength = 12) => passwordProblems(p, { minLength }).map((e) => e.code);
  it('accepts a long uncommon passphrase', () => expect(check('correct horse battery staple')).toEqual([]));
  it('refuses one shorter than the minimum, counting characters not bytes', () => {
    expect(check('short')).toEqual(['too_short']);
    expect(check('ééééééééééé')).toEqual(['too_short']);
    expect(check('éééééééé', 8)).toEqual([]);
  });
  it('refuses more than 128 characters', () => expect(check('x'.repeat(129))).toEqual(['too_long']));
  it('refuses common passwords whatever their letter case', () => {
    for (const p of [
      'password1234',
      'PASSWORD1234',
      'QwertyUiop12',
      '1qaz2wsx3edc',
      '123456789012',
      'iloveyou2024',
      'Welcome@2025',
    ])
      expect(check(p, 8), p).toEqual(['too_common']);
  });
  it('bundles a list of thousands of common passwords', () =>
    expect(commonPasswords().size).toBeGreaterThan(5000));
  it('bundles exactly what the pattern generator produces (the file is up to date)', () => {
    expect([...commonPasswords()].sort()).toEqual(commonPasswordPatterns());
  });
  it('refuses the email itself', () =>
    expect(passwordProblems('me@example.com', { minLength: 8, email: 'ME@example.com' })[0]!.code).toBe(
      'too_common',
    ));
});

describe('email normalisation', () => {
  it('trims and lower-cases', () =>
    expect(normaliseEmail('  Ada.Lovelace@Example.COM\n')).toBe('ada.lovelace@example.com'));
});

describe('secrets', () => {
  it('makes 256-bit refresh tokens and API keys with recognisable prefixes, hashed with SHA-256', () => {
    const r = newRefreshToken();
    expect(r.token).toMatch(/^prt_[A-Za-z0-9_-]{43}$/);
    expect(r.hash).toBe(sha256(r.token));
    const k = newApiKey();
    expect(k.key).toMatch(/^pk_live_[A-Za-z0-9_-]{43}$/);
    expect(looksLikeApiKey(k.key)).toBe(true);
    expect(k.prefix).toBe(k.key.slice(0, 12));
    expect(k.last4).toBe(k.key.slice(-4));
    expect(looksLikeApiKey('pk_live_short')).toBe(false);
    expect(newApiKey().key).not.toBe(k.key);
  });
});

describe('API-key scopes', () => {
  const user = ['orders:*:own', 'products:read', 'api-keys:*:own'];
  it('allows scopes the owner holds at the same reach', () =>
    expect(uncoveredScopes(user, ['orders:read:own', 'products:read', 'orders:*:own'])).toEqual([]));
  it('refuses a scope that would widen an :own grant to everyone', () =>
    expect(uncoveredScopes(user, ['orders:read', 'orders:*'])).toEqual(['orders:read', 'orders:*']));
  it('refuses scopes outside the owner’s permissions', () =>
    expect(uncoveredScopes(user, ['users:read', '*', 'products:*'])).toEqual([
      'users:read',
      '*',
      'products:*',
    ]));
  it('lets an admin grant anything', () =>
    expect(uncoveredScopes(['*'], ['users:read', '*', 'orders:read'])).toEqual([]));
  it('narrows stored scopes to what the owner still holds', () =>
    expect(effectiveScopes(['products:read'], ['users:read', 'products:read'])).toEqual(['products:read']));
});

describe('admin guard', () => {
  const admin = { is_bootstrap: false, roles: ['admin'], status: 'active' };
  it('refuses to disable or demote the bootstrap admin', () => {
    expect(
      adminRemovalRefusal({ target: { ...admin, is_bootstrap: true }, otherActiveAdmins: 3 }, 'disable'),
    ).toMatch(/bootstrap/);
    expect(
      adminRemovalRefusal({ target: { ...admin, is_bootstrap: true }, otherActiveAdmins: 3 }, 'demote'),
    ).toMatch(/bootstrap/);
  });
  it('refuses to remove the last active admin', () => {
    expect(adminRemovalRefusal({ target: admin, otherActiveAdmins: 0 }, 'disable')).toMatch(
      /last active admin/,
    );
    expect(adminRemovalRefusal({ target: admin, otherActiveAdmins: 0 }, 'demote')).toMatch(
      /last active admin/,
    );
  });
  it('allows it while another active admin remains, and for non-admins always', () => {
    expect(adminRemovalRefusal({ target: admin, otherActiveAdmins: 1 }, 'demote')).toBeNull();
    expect(
      adminRemovalRefusal({ target: { ...admin, roles: ['user'] }, otherActiveAdmins: 0 }, 'disable'),
    ).toBeNull();
  });
});

describe('signing-key schedule', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const key = (kid: string, at: number) => ({ kid, activates_at: new Date(at) });
  const ttl = 900;
  it('publishes a pending key before it signs', () => {
    const s = keySchedule([key('a', t0), key('b', t0 + 300_000)], t0 + 1000, ttl);
    expect(s.signer!.kid).toBe('a');
    expect(s.published.map((k) => k.kid)).toEqual(['a', 'b']);
  });
  it('signs with the newest active key and keeps the retired one until its tokens expire', () => {
    const keys = [key('a', t0), key('b', t0 + 300_000)];
    const atSwitch = keySchedule(keys, t0 + 300_000, ttl);
    expect(atSwitch.signer!.kid).toBe('b');
    expect(atSwitch.published.map((k) => k.kid)).toEqual(['a', 'b']);
    const later = keySchedule(keys, t0 + 300_000 + ttl * 1000 + 60_001, ttl);
    expect(later.published.map((k) => k.kid)).toEqual(['b']);
  });
  it('has no signer before the first key activates', () =>
    expect(keySchedule([key('a', t0)], t0 - 1, ttl).signer).toBeUndefined());
});

describe('key encryption at rest', () => {
  const kek = randomBytes(32);
  it('round-trips and binds the key id', () => {
    const sealed = encryptSecret(kek, '{"d":"secret"}', 'kid-1');
    expect(sealed).not.toContain('secret');
    expect(decryptSecret(kek, sealed, 'kid-1')).toBe('{"d":"secret"}');
    expect(() => decryptSecret(kek, sealed, 'kid-2')).toThrow();
    expect(() => decryptSecret(randomBytes(32), sealed, 'kid-1')).toThrow();
  });
  it('parses hex and base64url keys of 32 bytes only', () => {
    expect(parseKek(kek.toString('hex'))).toEqual(kek);
    expect(parseKek(kek.toString('base64url'))).toEqual(kek);
    expect(parseKek(kek.toString('base64'))).toEqual(kek);
    expect(() => parseKek('abcd')).toThrow(/32 bytes/);
  });
});

describe('audit details', () => {
  it('drops credential-like members at any depth', () => {
    expect(
      scrubDetails({
        email: 'a@b',
        password: 'x',
        nested: { refresh_token: 'y', ok: 1, list: [{ token: 'z', n: 2 }] },
      }),
    ).toEqual({
      email: 'a@b',
      nested: { ok: 1, list: [{ n: 2 }] },
    });
  });
});
