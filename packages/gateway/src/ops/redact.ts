/**
 * What an operator sees of an event's `data`: every field whose name says it holds a secret
 * (a password, a token, an API key, a signature…) is replaced at any depth, and a payload
 * over 8 KiB is cut to a note. Events should carry no secrets at all; this is the second line.
 */
const SECRET =
  /passw|passphrase|secret|token|api[_-]?key|key[_-]?hash|private|credential|authorization|cookie|signature|otp|verifier|reset[_-]?code|verification[_-]?code/i;
const MAX_BYTES = 8192;
const MAX_DEPTH = 8;

export const REDACTED = '[redacted]';

function walk(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET.test(k) ? REDACTED : walk(v, depth + 1);
  return out;
}

export function redactData(data: unknown): unknown {
  const safe = walk(data, 0);
  const size = Buffer.byteLength(JSON.stringify(safe) ?? '');
  return size > MAX_BYTES ? { truncated: true, bytes: size } : safe;
}
