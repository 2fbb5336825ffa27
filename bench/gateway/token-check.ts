/**
 * What one uncached access token costs to check, side by side in one process on one pinned
 * core: jose `jwtVerify` (what the design named), fast-jwt (what it named as the faster
 * alternative), the gateway's own check (packages/gateway/src/auth/jws.ts + jwt.ts), and the
 * bare `node:crypto` verify under both signature encodings. Every check sees a token it has
 * not seen (ES256, as identity signs them), so no cache helps.
 *
 *   npx node bench/gateway/token-check.ts [--tokens 4000] [--rounds 3]
 *
 * Prints CPU µs per check for each, per round (interleaved), and the ratios to jose.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import { createLocalJWKSet, exportJWK, jwtVerify, type JWK } from 'jose';
import { pino } from 'pino';
import { JwksCache } from '../../packages/gateway/src/auth/jwks.ts';
import { p1363ToDer } from '../../packages/gateway/src/auth/jws.ts';
import { JwtVerifier } from '../../packages/gateway/src/auth/jwt.ts';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@portico/contracts';
import { arg } from './servers/common.ts';

// Pin to one core, as the proxies are in run.ts (re-exec under taskset once).
if (!process.env.TOKEN_CHECK_PINNED) {
  try {
    execFileSync('taskset', ['-c', '0', process.execPath, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, TOKEN_CHECK_PINNED: '1' },
    });
    process.exit(0);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') process.exit(1);
    console.error('taskset not found: running unpinned');
  }
}

const N = Number(arg('tokens', '4000'));
const ROUNDS = Number(arg('rounds', '3'));
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' } as JWK;
const jwks = { keys: [jwk] };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const header = b64({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' });
const exp = Math.floor(Date.now() / 1000) + 3600;
// Enough distinct tokens that no round sees one twice.
const tokens: string[] = [];
for (let i = 0; i < N * 5 * ROUNDS; i++) {
  const input = `${header}.${b64({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, sub: `user-${i % 1000}`, sid: `s-${i}`, jti: `j-${i}`, roles: ['user'], exp })}`;
  const sig = sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
  tokens.push(`${input}.${sig.toString('base64url')}`);
}

const local = createLocalJWKSet(jwks);
const fast = createVerifier({
  key: ec.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  algorithms: ['ES256'],
  allowedIss: TOKEN_ISSUER,
  allowedAud: TOKEN_AUDIENCE,
  cache: false,
});
const keys = new JwksCache(async () => jwks, {
  floorMs: 60_000,
  maxAgeMs: 3_600_000,
  log: pino({ level: 'silent' }),
});
await keys.refresh();
const portico = new JwtVerifier(keys, { skewMs: 5000 });

const signed = (t: string) => {
  const dot = t.lastIndexOf('.');
  return { input: Buffer.from(t.slice(0, dot)), sig: Buffer.from(t.slice(dot + 1), 'base64url') };
};
const checks: [string, (t: string) => unknown][] = [
  [
    'jose jwtVerify',
    (t) => jwtVerify(t, local, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ['ES256'] }),
  ],
  ['fast-jwt', (t) => fast(t)],
  ['Portico (jws.ts + claims)', (t) => portico.verify(t, Date.now())],
  [
    'node:crypto verify, ieee-p1363 signature',
    (t) => {
      const { input, sig } = signed(t);
      return verify('sha256', input, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
    },
  ],
  [
    'node:crypto verify, DER signature',
    (t) => {
      const { input, sig } = signed(t);
      return verify('sha256', input, ec.publicKey, p1363ToDer(sig));
    },
  ],
];

let next = 0;
const totals = new Map<string, number[]>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, check] of checks) {
    const before = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const r = check(tokens[next++]!);
      if (r instanceof Promise) await r;
    }
    const used = process.cpuUsage(before);
    const us = (used.user + used.system) / N;
    totals.set(name, [...(totals.get(name) ?? []), us]);
  }
}
const best = (name: string) => Math.min(...totals.get(name)!);
console.log(`${N} fresh ES256 tokens per check and round, ${ROUNDS} interleaved rounds, one pinned core\n`);
console.log('| Check | CPU µs per token (best round) | rounds | × jose speed |');
console.log('|---|---:|---|---:|');
for (const [name] of checks)
  console.log(
    `| ${name} | ${best(name).toFixed(1)} | ${totals
      .get(name)!
      .map((x) => x.toFixed(0))
      .join(', ')} | ${(best('jose jwtVerify') / best(name)).toFixed(2)} |`,
  );
