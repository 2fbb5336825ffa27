/**
 * Request ids and W3C trace context (https://www.w3.org/TR/trace-context/ §3.2) for the hot
 * path: the same acceptance rules as the kit's `request-context.ts`, with randomness drawn
 * from a pooled buffer (one `randomFillSync` per ~100 requests instead of two `randomBytes`
 * calls per request, which showed in the gateway's CPU profile).
 */
import { randomFillSync } from 'node:crypto';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZEROS_32 = '0'.repeat(32);
const ZEROS_16 = '0'.repeat(16);

const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return s;
}

/** A UUIDv7 (RFC 9562 §5.7): 48-bit Unix ms, version 7, variant 10, 74 random bits. */
export function newRequestId(): string {
  const ts = Date.now().toString(16).padStart(12, '0');
  const r = randomHex(10);
  const variant = ((parseInt(r[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${ts.slice(0, 8)}-${ts.slice(8)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(8, 20)}`;
}

export function acceptRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : newRequestId();
}

/** The `traceparent` to send upstream: the incoming trace with a new span, or a new trace. */
export function childTraceparent(header: string | string[] | undefined): string {
  if (typeof header === 'string') {
    const m = TRACEPARENT.exec(header);
    if (m && m[1] !== ZEROS_32 && m[2] !== ZEROS_16) return `00-${m[1]}-${randomHex(8)}-${m[3]}`;
  }
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}
