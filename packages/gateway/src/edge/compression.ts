/**
 * Response compression (`compression:` in portico.yaml): gzip or brotli from `node:zlib` for
 * JSON and text answers at or above a size threshold, when the client's `Accept-Encoding`
 * allows it. Never for event streams (each event must reach the client when it is sent),
 * answers that already carry a `Content-Encoding`, partial content, bodiless answers, or a
 * `Cache-Control: no-transform` (RFC 9111 §5.2.2.6). Whether an answer *could* be compressed
 * adds `Vary: Accept-Encoding` (RFC 9110 §12.5.5), compressed or not, so a cache keeps the
 * variants apart; a strong `ETag` of a compressed answer becomes weak (RFC 9110 §8.8.3: another
 * content coding is another representation).
 */
import {
  brotliCompressSync,
  constants,
  createBrotliCompress,
  createGzip,
  gzipSync,
  type BrotliCompress,
  type Gzip,
} from 'node:zlib';

export type Coding = 'br' | 'gzip';

export interface CompressionSettings {
  threshold: number;
  /** Offered codings in the server's order of preference (ties in q-value go to the first). */
  encodings: readonly Coding[];
}

/**
 * The coding to use for `accept` (an `Accept-Encoding` value), or null for identity.
 * RFC 9110 §12.5.3: a list of `coding;q=value`; `q=0` refuses a coding, `*` stands for every
 * coding not listed, and a missing header means no preference (answered with identity here:
 * a client that says nothing is not assumed to decode anything). `x-gzip` is `gzip` (§8.4.1.3).
 */
export function negotiate(accept: string | undefined, offered: readonly Coding[]): Coding | null {
  if (accept === undefined || accept === '') return null;
  const q = new Map<string, number>();
  for (const item of accept.split(',')) {
    const [rawName, ...params] = item.split(';');
    let name = rawName!.trim().toLowerCase();
    if (name === '') continue;
    if (name === 'x-gzip') name = 'gzip';
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) weight = Math.min(1, Number(m[1]));
    }
    // A coding listed twice keeps its highest weight.
    q.set(name, Math.max(weight, q.get(name) ?? 0));
  }
  const wildcard = q.get('*');
  let best: Coding | null = null;
  let bestQ = 0;
  for (const coding of offered) {
    const w = q.get(coding) ?? wildcard ?? 0;
    if (w > bestQ) {
      best = coding;
      bestQ = w;
    }
  }
  return best;
}

const COMPRESSIBLE =
  /^(?:text\/(?!event-stream)|application\/(?:[a-z0-9.+-]*\+)?(?:json|xml)|application\/javascript)/i;

type Head = Record<string, string | string[] | number | undefined>;

/** True when an answer with these headers may be compressed at all (whatever the client accepts). */
export function compressible(status: number, method: string, head: Head, threshold: number): boolean {
  if (method === 'HEAD' || status < 200 || status === 204 || status === 206 || status === 304) return false;
  const type = head['content-type'];
  if (typeof type !== 'string' || !COMPRESSIBLE.test(type)) return false;
  if (head['content-encoding'] !== undefined || head['content-range'] !== undefined) return false;
  const cc = head['cache-control'];
  if (cc !== undefined && /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(cc))) return false;
  // A body of unknown length (chunked) is compressed: it is usually a large, streamed one.
  const length = head['content-length'];
  return length === undefined || Number(length) >= threshold;
}

/** Adds `accept-encoding` to the answer's `Vary` unless it is there already (or `*`). */
export function varyOnEncoding(head: Head): void {
  const vary = head.vary;
  if (vary === undefined) {
    head.vary = 'accept-encoding';
    return;
  }
  const text = String(vary);
  if (!/(?:^|,)\s*(?:\*|accept-encoding)\s*(?:,|$)/i.test(text)) head.vary = `${text}, accept-encoding`;
}

/** Bodies up to this size (by `Content-Length`) are compressed in one synchronous call, not streamed. */
export const ONE_SHOT_MAX = 64 * 1024;

/** Where a compressed body goes: the client's response. */
export interface EncodedTarget {
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer): void;
  once(event: 'drain', fn: () => void): void;
  destroy(): void;
}

/** The body of a compressed answer: chunks in, compressed bytes to the target. */
export interface BodyEncoder {
  write(chunk: Buffer): boolean;
  onDrain(resume: () => void): void;
  end(): void;
  destroy(): void;
}

function brotliParams(length: number | undefined): Record<number, number> {
  // Quality 4 of 11: close to gzip's speed with a smaller output; 11 costs ~50× the CPU.
  const params: Record<number, number> = {
    [constants.BROTLI_PARAM_QUALITY]: 4,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
  };
  if (length !== undefined) params[constants.BROTLI_PARAM_SIZE_HINT] = length;
  return params;
}

/** Compresses a whole (small) body at once, on this thread. */
export function compressOnce(coding: Coding, body: Buffer): Buffer {
  return coding === 'gzip'
    ? gzipSync(body, { level: 6 })
    : brotliCompressSync(body, { params: brotliParams(body.length) });
}

/**
 * A body of known length up to 64 kB is collected and compressed in one synchronous call: a zlib
 * stream (or zlib's asynchronous one-shot, which is a stream inside) costs thread-pool round trips
 * and stream machinery worth several times the compression of a few kB (docs/benchmarks.md,
 * "Compression"), while the synchronous call holds the event loop only for the compression
 * itself. Longer or chunked bodies are streamed off the main thread.
 */
class OneShotEncoder implements BodyEncoder {
  readonly #coding: Coding;
  readonly #target: EncodedTarget;
  #chunks: Buffer[] = [];
  #dead = false;

  constructor(coding: Coding, target: EncodedTarget) {
    this.#coding = coding;
    this.#target = target;
  }

  write(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    return true;
  }

  onDrain(resume: () => void): void {
    resume();
  }

  end(): void {
    if (this.#dead) return;
    const body = Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#target.end(compressOnce(this.#coding, body));
  }

  destroy(): void {
    this.#dead = true;
    this.#chunks = [];
  }
}

class StreamEncoder implements BodyEncoder {
  readonly #zlib: BrotliCompress | Gzip;

  constructor(coding: Coding, length: number | undefined, target: EncodedTarget) {
    this.#zlib =
      coding === 'gzip' ? createGzip({ level: 6 }) : createBrotliCompress({ params: brotliParams(length) });
    this.#zlib.on('data', (c: Buffer) => {
      if (!target.write(c)) {
        this.#zlib.pause();
        target.once('drain', () => this.#zlib.resume());
      }
    });
    this.#zlib.once('end', () => target.end());
    this.#zlib.once('error', () => target.destroy());
  }

  write(chunk: Buffer): boolean {
    return this.#zlib.write(chunk);
  }

  onDrain(resume: () => void): void {
    this.#zlib.once('drain', resume);
  }

  end(): void {
    this.#zlib.end();
  }

  destroy(): void {
    this.#zlib.destroy();
  }
}

/**
 * Rewrites the head for `coding` (no `Content-Length`: the answer is sent chunked; a strong ETag
 * made weak) and returns the encoder the body goes through to `target`.
 */
export function encodeBody(head: Head, coding: Coding, target: EncodedTarget): BodyEncoder {
  const declared = head['content-length'];
  const length = declared === undefined ? undefined : Number(declared);
  delete head['content-length'];
  head['content-encoding'] = coding;
  const etag = head.etag;
  if (typeof etag === 'string' && !etag.startsWith('W/')) head.etag = `W/${etag}`;
  return length !== undefined && length <= ONE_SHOT_MAX
    ? new OneShotEncoder(coding, target)
    : new StreamEncoder(coding, length, target);
}
