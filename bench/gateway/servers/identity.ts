/**
 * identity for the benchmark: publishes an ES256 JWKS, verifies one API key (behind a
 * gateway passport, as the real route does), and writes tokens signed with its key:
 * `<dir>/token.txt` (one, reused) and `<dir>/tokens.txt` (`--fresh N`, one per request).
 */
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { API_KEY_VERIFY_PATH, JWKS_PATH, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@portico/contracts';
import { arg, ready } from './common.ts';

const dir = arg('dir');
const fresh = Number(arg('fresh', '0'));
const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwks = JSON.stringify({
  keys: [{ ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'ES256', use: 'sig' }],
});
const sign = (i: number) =>
  new SignJWT({ sid: `s-${i}`, roles: ['user'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench-1' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(`user-${i % 1000}`)
    .setJti(`j-${i}`)
    .setExpirationTime('2h')
    .sign(privateKey);
await writeFile(join(dir, 'token.txt'), await sign(0));
if (fresh > 0) {
  const tokens: string[] = [];
  for (let i = 1; i <= fresh; i++) tokens.push(await sign(i));
  await writeFile(join(dir, 'tokens.txt'), tokens.join('\n') + '\n');
}
const key = JSON.stringify({
  valid: true,
  api_key_id: 'k-bench',
  user_id: 'user-key',
  roles: ['user'],
  scopes: ['orders:*:own'],
  expires_at: null,
});
const server = createServer((req, res) => {
  req.resume();
  if (req.url === JWKS_PATH) return void res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  if (req.url === API_KEY_VERIFY_PATH)
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(key);
  res.writeHead(200).end('{}');
});
server.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port));
