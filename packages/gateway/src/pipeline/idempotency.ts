/**
 * Idempotency-Key on POST (everything the gateway does about it is in this file): the key is
 * claimed in the store (scoped to the caller, with a fingerprint of method, path, query and
 * body); a stored answer is replayed, a key still in flight is a 409, a key reused with another
 * request a 422, a key outside the grammar (`isValidIdempotencyKey`, shared with the kit) a 422
 * `validation_failed` before anything is stored. A claimed request is forwarded through an `IdempotentSink`, which wraps the
 * client's sink: it holds the answer back, stores it, then sends it.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { invalidIdempotencyKeyError, isValidIdempotencyKey } from '@portico/kit';
import { mergeHeaders } from '../edge/respond.ts';
import { ClientSink, isEventStream, type OutgoingHead, type UpstreamSink } from './forward.ts';
import { HANDLED, type Step, type StepResult } from './step.ts';
import type { Cancellable, FailureKind } from '../upstream/forward.ts';
import type { StoredResponse } from '../store/store.ts';
import type { RequestContext } from './context.ts';

const REPLAY_HEADERS = new Set([
  'content-type',
  'location',
  'etag',
  'link',
  'cache-control',
  'content-language',
  'vary',
  // The version the stored body is in (docs/versions.md): a replay answers the same body.
  'portico-version',
]);

interface Claim {
  key: string;
  token: string;
  fingerprint: string;
}

export const idempotency: Step = {
  name: 'idempotency',
  run(ctx) {
    const key = ctx.req.headers['idempotency-key'];
    if (ctx.method !== 'POST' || !ctx.route!.idempotency || key === undefined) return undefined;
    if (!isValidIdempotencyKey(key)) {
      // The service would refuse it with this very answer; refused here, nothing is stored.
      ctx.problem('validation_failed', '1 field is invalid', [invalidIdempotencyKeyError]);
      return HANDLED;
    }
    const scope = ctx.principal.scope ?? `ip:${ctx.ip}`;
    const storeKey = `idem:${scope}:${key}`;
    const hash = createHash('sha256').update(`${ctx.method} ${ctx.path}${ctx.query}\n`);
    if (ctx.body) hash.update(ctx.body);
    const fingerprint = hash.digest('base64url');
    const metric = ctx.gw.metrics.idempotency;
    // The reservation is a lease for this request's own deadline: a gateway that dies holding it
    // blocks retries no longer than the request could have run.
    const lockMs = Math.min(ctx.gw.idempotencyLockMs, ctx.route!.timeouts.totalMs + 1000);
    return ctx.gw.store.idempotencyBegin(storeKey, fingerprint, lockMs).then(
      (r): StepResult => {
        switch (r.state) {
          case 'started':
            metric.inc({ outcome: 'started' });
            ctx.sink = new IdempotentSink(ctx, { key: storeKey, token: r.token, fingerprint });
            return undefined;
          case 'replay':
            metric.inc({ outcome: 'replayed' });
            replay(ctx, r.response);
            return HANDLED;
          case 'in_progress':
            metric.inc({ outcome: 'in_progress' });
            ctx.headers.push(['retry-after', '1']);
            ctx.problem(
              'idempotency_in_progress',
              'A request with this Idempotency-Key is still being processed',
            );
            return HANDLED;
          case 'mismatch':
            metric.inc({ outcome: 'mismatch' });
            ctx.problem('idempotency_key_reused', 'This Idempotency-Key was used with a different request');
            return HANDLED;
        }
      },
      (): StepResult => {
        // The store is down: pass through. The service's own idempotency records (the key's
        // owner) still make the request run once and replay its answer (docs/gateway.md).
        metric.inc({ outcome: 'bypassed' });
        return undefined;
      },
    );
  },
  describe(p) {
    const key = p.headers['idempotency-key'];
    if (p.method === 'POST' && p.route!.idempotency && key !== undefined && !isValidIdempotencyKey(key)) {
      p.note('idempotency', 'deny', `Idempotency-Key "${key}" ${invalidIdempotencyKeyError.message}`);
      return '422 validation_failed';
    }
    if (p.method === 'POST' && p.route!.idempotency && key)
      p.note(
        'idempotency',
        'info',
        `Idempotency-Key "${key}" scoped to the caller: replays a stored final answer (never a 5xx, 408, 429 or in-flight 409), 409 with Retry-After while in flight, 422 with a different body; retries allowed`,
      );
    else if (p.method === 'POST')
      p.note(
        'idempotency',
        'skip',
        p.route!.idempotency
          ? 'no Idempotency-Key: the request is never retried'
          : 'idempotency disabled on this route',
      );
    return undefined;
  },
};

function replay(ctx: RequestContext, stored: StoredResponse): void {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of stored.headers) out[k] = v;
  mergeHeaders(out, ctx.headers);
  out['idempotent-replayed'] = 'true';
  const body = Buffer.from(stored.body, 'base64');
  out['content-length'] = String(body.length);
  ctx.res.writeHead(stored.status, out);
  ctx.res.end(body);
  ctx.done(stored.status);
}

/**
 * The answer to a POST with an Idempotency-Key, held back until it is stored: a client can
 * only repeat the request once it has seen the answer (or given up), so storing first means a
 * repeat on any replica finds the stored answer, never the in-progress lock. Bodies over
 * `idempotency.max_body` and event streams are sent as they come and not stored (`overflow`).
 */
class IdempotentSink implements UpstreamSink {
  readonly #ctx: RequestContext;
  readonly #inner: ClientSink;
  #claim: Claim | null;
  #status = 0;
  #headers: [string, string][] = [];
  #chunks: Buffer[] = [];
  #size = 0;
  #overflow = false;
  /** The response head, not yet written while the response is held back. */
  #head: OutgoingHead | null = null;

  constructor(ctx: RequestContext, claim: Claim) {
    this.#ctx = ctx;
    this.#inner = new ClientSink(ctx);
    this.#claim = claim;
  }

  start(status: number, upstream: IncomingHttpHeaders, upstreamMs: number): void {
    const out = this.#inner.head(status, upstream, upstreamMs);
    const stream = isEventStream(upstream);
    this.#status = status;
    for (const k in out) if (REPLAY_HEADERS.has(k)) this.#headers.push([k, String(out[k])]);
    if (!stream && status < 500) {
      this.#head = out;
      return;
    }
    this.#overflow = true;
    this.#inner.writeHead(status, out, stream);
  }

  data(chunk: Buffer): boolean {
    if (!this.#overflow) {
      this.#size += chunk.length;
      if (this.#size <= this.#ctx.gw.idempotencyMaxBody) {
        this.#chunks.push(chunk);
        return true;
      }
      // Too large to store: send what was held back and stream the rest.
      this.#overflow = true;
      this.#sendHeld();
    }
    return this.#inner.data(chunk);
  }

  #sendHeld(): void {
    const head = this.#head;
    if (head === null || this.#ctx.res.destroyed) return;
    this.#inner.writeHead(this.#status, head, false);
    this.#head = null;
    for (const chunk of this.#chunks) this.#inner.data(chunk);
  }

  onDrain(resume: () => void): void {
    this.#inner.onDrain(resume);
  }

  onAbort(target: Cancellable): void {
    this.#inner.onAbort(target);
  }

  retried(): void {
    this.#inner.retried();
  }

  end(): void {
    this.#inner.release();
    if (this.#head !== null) {
      // Stored first, then sent; a failed store still answers the client.
      void this.#settle(false).then(() => {
        this.#sendHeld();
        this.#inner.end();
      });
      return;
    }
    this.#inner.end();
    void this.#settle(false);
  }

  fail(kind: FailureKind, started: boolean, retryAfter: number, err: Error | null): void {
    void this.#settle(true);
    if (this.#head !== null) {
      // The upstream failed after its head arrived but nothing was sent yet: the client gets
      // the gateway's answer instead of a cut-off response.
      this.#head = null;
      started = false;
    }
    this.#inner.fail(kind, started, retryAfter, err);
  }

  abandon(): void {
    void this.#settle(true);
  }

  /** An answer that says "not now" rather than how the request ended: never stored for a key. */
  #transient(): boolean {
    const status = this.#status;
    if (status >= 500 || status === 408 || status === 429) return true;
    if (status !== 409) return false;
    try {
      const body = JSON.parse(Buffer.concat(this.#chunks, this.#size).toString('utf8')) as {
        code?: unknown;
      };
      return body.code === 'idempotency_in_progress';
    } catch {
      return false;
    }
  }

  #settle(failed: boolean): Promise<void> {
    const claim = this.#claim;
    if (claim === null) return Promise.resolve();
    this.#claim = null;
    const { store, metrics, log } = this.#ctx.gw;
    // Only final answers are stored: failed exchanges, 5xx (504 included), 408, 429 and the
    // service's own 409 `idempotency_in_progress` release the key so the client's retry reaches
    // the service again and, once the work committed, gets its answer.
    if (failed || this.#overflow || this.#transient()) {
      metrics.idempotency.inc({ outcome: 'released' });
      return store.idempotencyRelease(claim.key, claim.token).catch(() => {});
    }
    const body = Buffer.concat(this.#chunks, this.#size).toString('base64');
    return store
      .idempotencyComplete(
        claim.key,
        claim.token,
        claim.fingerprint,
        { status: this.#status, headers: this.#headers, body },
        this.#ctx.gw.idempotencyTtlMs,
      )
      .catch((err: unknown) => {
        log.warn({ err, request_id: this.#ctx.requestId }, 'idempotent response not stored');
        // Released rather than left locked until it expires: a retry then runs afresh.
        return store.idempotencyRelease(claim.key, claim.token).catch(() => {});
      });
  }
}
