/**
 * The body: a declared `Content-Length` over the route's limit is refused before anything
 * else is spent on the request (413); the body itself is read after the policies passed, and
 * refused as soon as it grows past the limit.
 *
 * After a 413 the gateway lingers: it reads and throws away what the client is still sending,
 * for at most LINGER_MS and LINGER_BYTES, then closes. Closing at once would reset a connection
 * whose unread bytes are still arriving, and the client would see EPIPE or ECONNRESET instead of
 * the answer (what nginx's lingering_close is for). A client that finishes within the bounds
 * keeps its connection.
 */
import type { IncomingMessage } from 'node:http';
import { HANDLED, type Step, type StepResult } from './step.ts';
import type { RequestContext } from './context.ts';

export const LINGER_MS = 5_000;
export const LINGER_BYTES = 8 * 1024 * 1024;

function tooLarge(ctx: RequestContext, limit: number): void {
  ctx.problem('payload_too_large', `The body exceeds ${limit} bytes`);
  linger(ctx.req);
}

function linger(req: IncomingMessage): void {
  let discarded = 0;
  const close = (): void => {
    clearTimeout(timer);
    if (!req.complete) req.socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) close();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

export const declaredSize: Step = {
  name: 'body limit',
  run(ctx) {
    const declared = ctx.req.headers['content-length'];
    const limit = ctx.route!.bodyLimit;
    if (declared === undefined || !(Number(declared) > limit)) return undefined;
    tooLarge(ctx, limit);
    return HANDLED;
  },
  describe(p) {
    const length = Number(p.headers['content-length'] ?? 0);
    const limit = p.route!.bodyLimit;
    if (length > limit) {
      p.note('body limit', 'deny', `Content-Length ${length} > ${limit} bytes`);
      return '413 payload_too_large';
    }
    p.note('body limit', 'pass', `up to ${limit} bytes`);
    return undefined;
  },
};

export const readBody: Step = {
  name: 'body',
  run(ctx) {
    const h = ctx.req.headers;
    if (h['content-length'] === undefined && h['transfer-encoding'] === undefined) return undefined;
    const limit = ctx.route!.bodyLimit;
    return new Promise<StepResult>((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      ctx.req.on('data', (chunk: Buffer) => {
        if (over) return;
        size += chunk.length;
        if (size > limit) {
          over = true;
          tooLarge(ctx, limit);
          resolve(HANDLED);
          return;
        }
        chunks.push(chunk);
      });
      ctx.req.once('end', () => {
        if (over) return;
        ctx.body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        resolve(undefined);
      });
      // A client that breaks off its body gets no answer: its connection is gone.
      ctx.req.once('error', () => {
        over = true;
      });
    });
  },
  describe() {
    return undefined;
  },
};
