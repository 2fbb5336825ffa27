/**
 * `POST /api/v1/batch` (`batch:` in portico.yaml): up to 50 operations in one request, run in
 * order, each through the whole step list (route, CORS, body limit, authentication, API-key
 * scope, permission, rate limits, idempotency, upstream) as if the client had sent it alone
 * with the batch's credentials, so a batch is never a side door. The answer is 200 with each
 * operation's status, headers and body, in order. The batch itself is a route like any other:
 * with an `Idempotency-Key` the idempotency step wraps its answer, so the whole batch is stored
 * and replayed; each POST operation also gets a key derived from the batch's, so a batch whose
 * record was released (the gateway failed mid-batch) and is sent again creates nothing twice.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem, PROBLEM_CONTENT_TYPE, problemRegistry } from '@portico/kit';
import { CapturedResponse, OperationRequest, type CapturedAnswer } from '../batch/exchange.ts';
import { parseOperations, type Operation } from '../batch/operations.ts';
import { ClientSink } from './forward.ts';
import { RequestContext } from './context.ts';
import { HANDLED, type Step, type StepResult } from './step.ts';

/** Request fields an operation takes from the batch: credentials, client and trace context. */
export const INHERITED = [
  'authorization',
  'host',
  'user-agent',
  'accept-language',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'traceparent',
  'tracestate',
];

export interface OperationResult {
  status: number;
  headers: Record<string, string | string[]>;
  /** JSON bodies parsed, text as a string, anything else base64 (`body_encoding`). */
  body: unknown;
  body_encoding?: 'base64';
}

function operationHeaders(ctx: RequestContext, op: Operation, i: number, opKey: string | null) {
  const parent = ctx.req.headers;
  const out: Record<string, string> = {};
  for (const name of [...INHERITED, ctx.rt.apiKeyHeader]) {
    const v = parent[name];
    if (typeof v === 'string') out[name] = v;
  }
  Object.assign(out, op.headers);
  out['x-request-id'] ??= `${ctx.requestId}.${i}`;
  // With tracing on, each operation's span is a child of the batch's.
  if (ctx.span !== null) out.traceparent = ctx.span.trace.traceparent;
  if (op.method === 'POST' && opKey !== null) out['idempotency-key'] ??= `${opKey}.${i}`;
  if (op.body !== null) out['content-length'] = String(op.body.length);
  return out;
}

function bodyOf(answer: CapturedAnswer): Pick<OperationResult, 'body' | 'body_encoding'> {
  const { body } = answer;
  if (body.length === 0) return { body: null };
  const type = String(answer.headers['content-type'] ?? '');
  if (/^application\/([a-z0-9.+-]*\+)?json/i.test(type))
    try {
      return { body: JSON.parse(body.toString('utf8')) };
    } catch {
      return { body: body.toString('utf8') };
    }
  if (type.startsWith('text/')) return { body: body.toString('utf8') };
  return { body: body.toString('base64'), body_encoding: 'base64' };
}

/** An operation whose answer a batch cannot carry: a problem in its place. */
function cutOff(ctx: RequestContext, op: Operation, i: number, answer: CapturedAnswer): OperationResult {
  const code = answer.truncated === 'event_stream' ? 'malformed_request' : 'bad_gateway';
  const detail =
    answer.truncated === 'event_stream'
      ? `operations.${i} answers with an event stream, which a batch cannot carry: open it on its own`
      : `operations.${i} answered more than ${ctx.rt.batch!.maxResponseBody} bytes, the batch's limit per operation`;
  return {
    status: problemRegistry[code].status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
    body: problem(code, { detail, instance: op.path.split('?')[0]!, requestId: `${ctx.requestId}.${i}` }),
  };
}

function resultOf(ctx: RequestContext, op: Operation, i: number, answer: CapturedAnswer): OperationResult {
  if (answer.truncated !== null) return cutOff(ctx, op, i, answer);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(answer.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v : String(v);
  return { status: answer.status, headers, ...bodyOf(answer) };
}

/** Runs one operation through `run` (the whole step list) and waits for its answer. */
async function runOperation(
  ctx: RequestContext,
  op: Operation,
  i: number,
  opKey: string | null,
  run: (ctx: RequestContext) => void,
): Promise<OperationResult> {
  const req = new OperationRequest(ctx.req.socket, op, operationHeaders(ctx, op, i, opKey));
  const res = new CapturedResponse(req, ctx.rt.batch!.maxResponseBody);
  run(
    new RequestContext(ctx.gw, ctx.rt, req as unknown as IncomingMessage, res as unknown as ServerResponse),
  );
  const answer = await res.done;
  req.finish();
  return resultOf(ctx, op, i, answer);
}

async function runBatch(
  ctx: RequestContext,
  operations: Operation[],
  run: (ctx: RequestContext) => void,
): Promise<StepResult> {
  const key = ctx.req.headers['idempotency-key'];
  const opKey =
    typeof key === 'string'
      ? `batch.${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`
      : null;
  const t0 = performance.now();
  const results: OperationResult[] = [];
  for (let i = 0; i < operations.length; i++) {
    if (ctx.res.destroyed) {
      // The client went away: the rest of the batch is not run, nothing is stored.
      ctx.sink?.abandon();
      ctx.done(499);
      return HANDLED;
    }
    results.push(await runOperation(ctx, operations[i]!, i, opKey, run));
  }
  const body = Buffer.from(JSON.stringify({ results }));
  const sink = ctx.sink ?? (ctx.sink = new ClientSink(ctx));
  sink.start(
    200,
    { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) },
    performance.now() - t0,
  );
  sink.data(body);
  sink.end();
  return HANDLED;
}

/** The batch step; `run` sends one operation through the whole step list. */
export function batch(run: (ctx: RequestContext) => void): Step {
  return {
    name: 'batch',
    run(ctx) {
      if (ctx.route!.kind !== 'batch') return undefined;
      const refuse = (code: 'malformed_request' | 'unsupported_media_type', detail: string): StepResult => {
        ctx.sink?.abandon();
        ctx.problem(code, detail);
        return HANDLED;
      };
      const type = ctx.req.headers['content-type'] ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type))
        return refuse('unsupported_media_type', 'A batch is a JSON body (Content-Type: application/json)');
      let doc: unknown;
      try {
        doc = JSON.parse(ctx.body?.toString('utf8') ?? '');
      } catch {
        return refuse('malformed_request', 'The body is not valid JSON');
      }
      const parsed = parseOperations(doc, {
        maxOperations: ctx.rt.batch!.maxOperations,
        apiKeyHeader: ctx.rt.apiKeyHeader,
        refusePath: (path) => {
          const bare = path.split('?')[0]!;
          if (ctx.gw.ownRoute(bare) !== undefined)
            return "is one of the gateway's own routes, not an API operation";
          const m = ctx.rt.router.match('POST', bare);
          if (m.kind === 'route' && m.route.kind === 'batch') return 'a batch cannot contain a batch';
          const o = ctx.rt.router.match('GET', bare);
          return [m, o].some((x) => x.kind === 'route' && x.route.kind === 'ops')
            ? 'is one of the operator routes, sent on its own'
            : null;
        },
      });
      if (!parsed.ok) {
        ctx.sink?.abandon();
        const n = parsed.errors.length;
        ctx.problem('validation_failed', `${n} field${n === 1 ? ' is' : 's are'} invalid`, parsed.errors);
        return HANDLED;
      }
      return runBatch(ctx, parsed.operations, run);
    },
    describe(p) {
      if (p.route!.kind !== 'batch') return undefined;
      const max = p.rt.batch!.maxOperations;
      p.note(
        'batch',
        'info',
        `runs up to ${max} operations {method, path, headers?, body?} in order, each through every step above as if sent alone with this request's credentials (its own route, permission, rate limits and idempotency); an Idempotency-Key replays the whole batch; more than ${max} → 422 naming operations; a nested batch → 422`,
      );
      return "answered by the gateway: 200 {results: [{status, headers, body}]} in the operations' order";
    },
  };
}
