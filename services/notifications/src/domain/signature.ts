/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, spec v1): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, signed with HMAC-SHA256 under the base64-decoded
 * part of the secret after `whsec_`, sent as `webhook-signature: v1,<base64>`. Receivers verify
 * with a constant-time comparison and refuse timestamps too far from now (replay protection).
 *
 * @example
 *   const secret = generateSecret();                 // whsec_…
 *   const sig = sign(secret, 'msg_1', 1735689600, '{"a":1}');
 *   verify(secret, { 'webhook-id': 'msg_1', 'webhook-timestamp': '1735689600', 'webhook-signature': sig }, '{"a":1}', { now: 1735689600 });
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

/** The `webhook-signature` header value for one message. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export type SignedHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** The three headers for a delivery sent at `timestamp` (unix seconds). */
export function signedHeaders(secret: string, id: string, timestamp: number, body: string): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(secret, id, timestamp, body),
  };
}

/**
 * Whether a received message is authentic: one of the space-separated `v1,` signatures matches
 * and the timestamp is within `toleranceSeconds` (default 5 minutes) of `now`.
 */
export function verify(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  opts: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const id = one(headers['webhook-id']);
  const ts = one(headers['webhook-timestamp']);
  const sigs = one(headers['webhook-signature']);
  if (!id || !ts || !sigs || !/^\d+$/.test(ts)) return false;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(ts)) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(sign(secret, id, Number(ts), body).slice(3), 'base64');
  return sigs.split(' ').some((s) => {
    const [version, mac] = s.split(',', 2);
    if (version !== 'v1' || !mac) return false;
    const got = Buffer.from(mac, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}
