/**
 * Sends one signed webhook message over HTTP (undici). Redirects are never followed — a 3xx is a
 * failed attempt — and, unless private targets are allowed, every connection goes through
 * `guardedLookup`, so only checked public addresses are ever dialled.
 */
import { Agent, request } from 'undici';
import { staticProblem, guardedLookup } from './target-guard.ts';
import { signedHeaders } from '../domain/signature.ts';

export interface SendResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export class WebhookSender {
  readonly #agent: Agent;
  readonly #allowPrivate: boolean;
  readonly #timeoutMs: number;

  constructor(opts: { allowPrivate: boolean; timeoutMs: number }) {
    this.#allowPrivate = opts.allowPrivate;
    this.#timeoutMs = opts.timeoutMs;
    this.#agent = new Agent({
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: opts.timeoutMs, ...(!opts.allowPrivate && { lookup: guardedLookup }) },
      keepAliveTimeout: 10_000,
    });
  }

  async send(url: string, secret: string, messageId: string, body: string): Promise<SendResult> {
    const started = performance.now();
    const done = (statusCode: number | null, error: string | null): SendResult => ({
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    const problem = staticProblem(url, this.#allowPrivate);
    if (problem) return done(null, `refused: url ${problem}`);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Portico-Webhooks/1.0',
          ...signedHeaders(secret, messageId, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      // Only the status matters; read at most a little of the body so the socket can be reused.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
      if (res.statusCode >= 200 && res.statusCode < 300) return done(res.statusCode, null);
      const location = res.headers.location;
      const redirect =
        res.statusCode >= 300 && res.statusCode < 400
          ? ` (redirect to ${String(location ?? '?')} not followed)`
          : '';
      return done(res.statusCode, `HTTP ${res.statusCode}${redirect}`);
    } catch (err) {
      return done(null, describeError(err));
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function describeError(err: unknown): string {
  let e = err as { message?: string; code?: string; cause?: unknown; name?: string } | undefined;
  // undici wraps the socket error; the innermost cause says what happened.
  while (e && e.cause && typeof e.cause === 'object') e = e.cause as typeof e;
  if (e?.code === 'EFORBIDDENTARGET') return `refused: ${e.message}`;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  return `${e?.code ? `${e.code}: ` : ''}${e?.message ?? String(err)}`.slice(0, 500);
}
