/**
 * The gateway's own token check (src/auth/jws.ts + jwt.ts) against jose as the reference:
 * for well-formed tokens, tokens with bytes changed anywhere, and tokens with odd headers
 * or claims, both must accept exactly the same ones, and for the same callers.
 */
import { describe, expect, it } from 'vitest';
import { createHmac, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import { createLocalJWKSet, exportJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import pino from 'pino';
import { JwksCache } from '../src/auth/jwks.ts';
import { p1363ToDer } from '../src/auth/jws.ts';
import { JwtVerifier } from '../src/auth/jwt.ts';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwks = {
  keys: [
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
  ] as JWK[],
};
const reference = createLocalJWKSet(jwks);
const cache = new JwksCache(async () => jwks, {
  floorMs: 60_000,
  maxAgeMs: 3_600_000,
  log: pino({ level: 'silent' }),
});
await cache.refresh();

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const nowSec = () => Math.floor(Date.now() / 1000);

function claims(extra: Record<string, unknown> = {}) {
  return {
    sub: 'user-1',
    iss: 'portico-identity',
    aud: 'portico',
    exp: nowSec() + 300,
    roles: ['user'],
    ...extra,
  };
}

/** Signs any header and payload (valid JSON or not) with a P-256 or Ed25519 key. */
function signRaw(header: string, payload: string, key: 'ec' | 'ed' | 'other' = 'ec'): string {
  const input = `${header}.${payload}`;
  const sig =
    key === 'ed'
      ? nodeSign(null, Buffer.from(input), ed.privateKey)
      : nodeSign('sha256', Buffer.from(input), {
          key: key === 'ec' ? ec.privateKey : otherEc.privateKey,
          dsaEncoding: 'ieee-p1363',
        });
  return `${input}.${sig.toString('base64url')}`;
}

async function joseAccepts(token: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, reference, {
      issuer: 'portico-identity',
      audience: 'portico',
      algorithms: ['ES256', 'EdDSA'],
      clockTolerance: 5,
      requiredClaims: ['exp', 'sub'],
    });
    return typeof payload.sub === 'string' ? payload.sub : null;
  } catch {
    return null;
  }
}

async function portico(token: string): Promise<string | null> {
  const verifier = new JwtVerifier(cache, { skewMs: 5000 }); // fresh: no cached verdicts
  const r = await verifier.verify(token, Date.now());
  return 'caller' in r ? (r.caller.id ?? null) : null;
}

/**
 * Same verdict as jose, except that the gateway is stricter about the encoding: a compact JWS is
 * three base64url strings joined by dots (RFC 7515 §7.1), and jose's decoder skips characters
 * outside that alphabet (a space, `=`, `+`), so it accepts tokens the gateway refuses.
 */
async function agree(token: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    expect(await portico(token), token).toBeNull();
    return;
  }
  expect(await portico(token), token).toBe(await joseAccepts(token));
}

describe('the gateway token check agrees with jose', () => {
  it('on valid ES256 and EdDSA tokens', async () => {
    for (const [kid, alg, key] of [
      ['ec-1', 'ES256', 'ec'],
      ['ed-1', 'EdDSA', 'ed'],
    ] as const) {
      const token = signRaw(b64({ alg, kid, typ: 'at+jwt' }), b64(claims({ sub: `u-${alg}` })), key);
      expect(await portico(token)).toBe(`u-${alg}`);
      await agree(token);
    }
  });

  it('on tokens with any character changed, dropped or added', async () => {
    // A space inside the signature: jose skips it and accepts; the gateway refuses.
    const [h, p, sig] = signRaw(b64({ alg: 'ES256', kid: 'ec-1' }), b64(claims())).split('.');
    expect(await joseAccepts(`${h}.${p}.${sig!.slice(0, 10)} ${sig!.slice(10)}`)).toBe('user-1');
    expect(await portico(`${h}.${p}.${sig!.slice(0, 10)} ${sig!.slice(10)}`)).toBeNull();

    const base = signRaw(b64({ alg: 'ES256', kid: 'ec-1' }), b64(claims()));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: base.length - 1 }),
        fc.constantFrom(...alphabet),
        fc.constantFrom('replace', 'insert', 'delete'),
        async (at, ch, op) => {
          const token =
            op === 'replace'
              ? base.slice(0, at) + ch + base.slice(at + 1)
              : op === 'insert'
                ? base.slice(0, at) + ch + base.slice(at)
                : base.slice(0, at) + base.slice(at + 1);
          await agree(token);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on headers and claims at and past every rule', async () => {
    const ecHeader = b64({ alg: 'ES256', kid: 'ec-1' });
    const cases: string[] = [
      signRaw(ecHeader, b64(claims({ exp: nowSec() - 60 }))),
      signRaw(ecHeader, b64(claims({ exp: nowSec() - 2 }))), // within the leeway
      signRaw(ecHeader, b64(claims({ exp: String(nowSec() + 60) }))),
      signRaw(ecHeader, b64(claims({ nbf: nowSec() + 60 }))),
      signRaw(ecHeader, b64(claims({ nbf: nowSec() + 2 }))),
      signRaw(ecHeader, b64(claims({ iat: 'yesterday' }))),
      signRaw(ecHeader, b64(claims({ aud: ['other', 'portico'] }))),
      signRaw(ecHeader, b64(claims({ aud: ['other'] }))),
      signRaw(ecHeader, b64(claims({ aud: 'someone-else' }))),
      signRaw(ecHeader, b64(claims({ iss: 'https://evil.example' }))),
      signRaw(ecHeader, b64(claims({ sub: 42 }))),
      signRaw(ecHeader, b64({ ...claims(), sub: undefined })),
      signRaw(ecHeader, b64({ ...claims(), exp: undefined })),
      signRaw(ecHeader, b64([claims()])),
      signRaw(ecHeader, b64('a string')),
      signRaw(ecHeader, Buffer.from('{not json').toString('base64url')),
      signRaw(b64({ alg: 'ES256', kid: 'ec-1', crit: ['exp'] }), b64(claims())),
      signRaw(b64({ alg: 'ES256', kid: 'ec-1', b64: false, crit: ['b64'] }), b64(claims())),
      signRaw(b64({ alg: 'ES256', kid: 'nope' }), b64(claims())),
      signRaw(b64({ alg: 'ES256' }), b64(claims())), // no kid: the single ES256 key
      signRaw(b64({ alg: 'ES256', kid: 7 }), b64(claims())),
      signRaw(b64({ alg: 'ES256', kid: 'ed-1' }), b64(claims())), // kid of a key of another type
      signRaw(b64({ alg: 'EdDSA', kid: 'ec-1' }), b64(claims()), 'ed'),
      signRaw(b64({ alg: 'ES384', kid: 'ec-1' }), b64(claims())),
      signRaw(ecHeader, b64(claims()), 'other'),
      signRaw(b64(['ES256']), b64(claims())),
      `${b64({ alg: 'none', kid: 'ec-1' })}.${b64(claims())}.`,
      `${ecHeader}.${b64(claims())}`,
      'access_token_1_x',
      '',
    ];
    const hsInput = `${b64({ alg: 'HS256', kid: 'ec-1' })}.${b64(claims({ roles: ['admin'] }))}`;
    const hsKey = JSON.stringify(jwks.keys[0]);
    cases.push(`${hsInput}.${createHmac('sha256', hsKey).update(hsInput).digest('base64url')}`);
    for (const token of cases) await agree(token);
    // The cases are not all refusals: the leeway, a future nbf inside it, and an audience
    // list containing ours are accepted by both.
    expect(await portico(cases[1]!)).toBe('user-1');
    expect(await portico(cases[6]!)).toBe('user-1');
  });

  it('on a JWT made by jose itself', async () => {
    const token = await new SignJWT({ roles: ['user'], sid: 's-1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
      .setIssuer('portico-identity')
      .setAudience('portico')
      .setSubject('user-from-jose')
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('5m')
      .sign(ec.privateKey);
    expect(await portico(token)).toBe('user-from-jose');
  });
});

describe('p1363ToDer', () => {
  it('re-encodes real signatures, including r or s with a leading zero or the high bit set', () => {
    const data = Buffer.from('portico');
    let leadingZero = 0;
    let highBit = 0;
    for (let i = 0; i < 3000; i++) {
      const sig = nodeSign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
      if (sig[0] === 0 || sig[32] === 0) leadingZero++;
      if (sig[0]! >= 0x80 || sig[32]! >= 0x80) highBit++;
      expect(nodeVerify('sha256', data, ec.publicKey, p1363ToDer(sig))).toBe(true);
    }
    expect(leadingZero).toBeGreaterThan(0);
    expect(highBit).toBeGreaterThan(0);
  });
});
