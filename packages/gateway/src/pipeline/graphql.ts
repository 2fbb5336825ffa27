/**
 * GraphQL at `graphql.path` (`graphql:` in portico.yaml; docs/graphql.md). A route like any
 * other: CORS, body limit and authentication ran before this step (a credential it carries must
 * verify: a revoked token is the same 401 as on REST). Here a query is parsed, validated and
 * measured (depth, aliases, cost: graphql/limits.ts), counted against the rate limits by its
 * cost, then executed. Its resolvers read the REST routes: each call is a GET that runs through
 * this whole step list with the caller's credentials, exactly as if the client had sent it
 * (its route, API-key scope, permission, passport; only its rate limits were paid by the cost),
 * so GraphQL never sees more than REST. GET with `Accept: text/html` answers GraphiQL.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LATEST_API_VERSION } from '@portico/kit';
import {
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { CapturedResponse, OperationRequest } from '../batch/exchange.ts';
import { graphiqlAsset, GRAPHIQL_CSP } from '../graphql/graphiql.ts';
import { checkLimits, pickOperation } from '../graphql/limits.ts';
import { Loaders, portico, type Answer } from '../graphql/resolve.ts';
import { serveAsset } from '../own/asset.ts';
import { wantsHtml } from '../own/problems.ts';
import { INHERITED } from './batch.ts';
import { RequestContext } from './context.ts';
import { ClientSink } from './forward.ts';
import { countRateLimits } from './rate-limit.ts';
import { HANDLED, type Step, type StepResult } from './step.ts';

/** The largest REST answer a resolver reads. */
const MAX_UPSTREAM_BODY = 8 * 1024 * 1024;
/** The largest query document, in tokens (graphql-js stops parsing past it). */
const MAX_TOKENS = 5000;
/** What a GraphQL-over-HTTP request body may hold. */
const REQUEST_MEMBERS = ['query', 'variables', 'operationName', 'extensions'];

interface Params {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The request's `{query, variables, operationName}` from a GET's query string or a POST's JSON body. */
function paramsOf(ctx: RequestContext): Params | { field: string; message: string; unsupported?: true } {
  let raw: Record<string, unknown>;
  if (ctx.method === 'POST') {
    const type = ctx.req.headers['content-type'] ?? '';
    if (!/^application\/(graphql\+)?json\s*(;|$)/i.test(type))
      return { field: 'content-type', message: 'must be application/json', unsupported: true };
    try {
      raw = JSON.parse(ctx.body?.toString('utf8') ?? '') as Record<string, unknown>;
    } catch {
      return { field: 'body', message: 'is not valid JSON' };
    }
    if (!isObject(raw))
      return { field: 'body', message: 'must be an object {query, variables?, operationName?}' };
    // Only the members of a GraphQL-over-HTTP request: anything else is a client's mistake.
    const unknown = Object.keys(raw).find((k) => !REQUEST_MEMBERS.includes(k));
    if (unknown !== undefined)
      return {
        field: unknown,
        message: 'is not a member of a GraphQL request (query, variables, operationName, extensions)',
      };
  } else {
    const q = new URLSearchParams(ctx.query.slice(1));
    raw = {};
    for (const k of ['query', 'operationName', 'variables']) {
      const v = q.get(k);
      if (v !== null) raw[k] = v;
    }
    if (typeof raw.variables === 'string')
      try {
        raw.variables = JSON.parse(raw.variables);
      } catch {
        return { field: 'variables', message: 'is not valid JSON' };
      }
  }
  const { query, variables, operationName } = raw;
  if (typeof query !== 'string' || query.trim() === '')
    return { field: 'query', message: 'is required: a GraphQL document' };
  if (variables !== undefined && variables !== null && !isObject(variables))
    return { field: 'variables', message: 'must be an object' };
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    return { field: 'operationName', message: 'must be a string' };
  return {
    query,
    variables: (variables as Record<string, unknown> | null | undefined) ?? {},
    operationName: (operationName as string | null | undefined) ?? null,
  };
}

/** GraphQL-over-HTTP: `application/graphql-response+json` when the client takes it. */
function responseType(ctx: RequestContext): string {
  const accept = ctx.req.headers.accept ?? '';
  return accept.includes('application/graphql-response+json')
    ? 'application/graphql-response+json; charset=utf-8'
    : 'application/json; charset=utf-8';
}

function send(ctx: RequestContext, status: number, body: unknown, upstreamMs = 0): StepResult {
  const buf = Buffer.from(JSON.stringify(body));
  const sink = ctx.sink ?? (ctx.sink = new ClientSink(ctx));
  sink.start(status, { 'content-type': responseType(ctx), 'content-length': String(buf.length) }, upstreamMs);
  sink.data(buf);
  sink.end();
  return HANDLED;
}

/** graphql-js's parse error, without its echo of a long token: `The query does not parse: Unexpected …`. */
function parseMessage(message: string | undefined): string {
  if (!message) return 'The query does not parse';
  const m = message.replace(/^Syntax Error: /, '').replace(/"([^"]{40})[^"]+"/g, '"$1…"');
  return `The query does not parse: ${m}`;
}

/**
 * A request error (no `data`): syntax, validation, limits. GraphQL over HTTP: 400 for a client
 * that takes `application/graphql-response+json`, 200 for `application/json` (its clients read
 * `errors` from any 200; a 4xx there would be a problem+json by this API's conventions).
 */
function refuse(ctx: RequestContext, errors: readonly GraphQLError[], extensions?: object): StepResult {
  const status = responseType(ctx).startsWith('application/graphql-response+json') ? 400 : 200;
  return send(ctx, status, { errors: errors.map((e) => e.toJSON()), ...(extensions && { extensions }) });
}

/** A GET the resolvers make: through every step as the caller, answered into memory. */
function restCaller(ctx: RequestContext, run: (ctx: RequestContext) => void) {
  let n = 0;
  // Each call in flight listens for the client's connection closing (batch/exchange.ts).
  const socket = ctx.req.socket;
  if (socket.getMaxListeners() < 200) socket.setMaxListeners(200);
  const fetch = async (path: string): Promise<Answer> => {
    const i = n++;
    const headers: Record<string, string> = {};
    for (const name of [...INHERITED, ctx.rt.apiKeyHeader]) {
      const v = ctx.req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    headers['accept'] = 'application/json';
    // The schema follows the newest REST shapes (money as {amount, currency}): GraphQL evolves
    // additively, so its calls run at the latest version whatever the caller's pin.
    headers['portico-version'] = LATEST_API_VERSION;
    headers['x-request-id'] = `${ctx.requestId}.g${i}`;
    const req = new OperationRequest(ctx.req.socket, { method: 'GET', path, headers, body: null }, headers);
    const res = new CapturedResponse(req, MAX_UPSTREAM_BODY);
    const child = new RequestContext(
      ctx.gw,
      ctx.rt,
      req as unknown as IncomingMessage,
      res as unknown as ServerResponse,
    );
    child.prepaid = true;
    run(child);
    const answer = await res.done;
    req.finish();
    if (answer.truncated !== null)
      return {
        status: 502,
        body: { code: 'bad_gateway', detail: `${path.split('?')[0]} answered too much` },
      };
    let body: unknown = null;
    try {
      body = answer.body.length ? JSON.parse(answer.body.toString('utf8')) : null;
    } catch {
      body = { code: 'bad_gateway', detail: `${path.split('?')[0]} did not answer JSON` };
    }
    return { status: answer.status, body };
  };
  return { fetch, calls: () => n };
}

async function runQuery(
  ctx: RequestContext,
  params: Params,
  run: (ctx: RequestContext) => void,
): Promise<StepResult> {
  const g = ctx.rt.graphql!;
  const schema = portico();
  const t0 = performance.now();
  let doc: DocumentNode;
  try {
    doc = parse(params.query, { maxTokens: MAX_TOKENS });
  } catch (err) {
    const charged = await countRateLimits(ctx);
    if (charged === HANDLED) return HANDLED;
    const e = err instanceof GraphQLError ? err : null;
    return refuse(ctx, [
      new GraphQLError(parseMessage(e?.message), {
        ...(e?.source && { source: e.source }),
        ...(e?.positions && { positions: e.positions }),
        extensions: { code: 'graphql_parse_failed' },
      }),
    ]);
  }
  const invalid = validate(schema, doc, undefined, { maxErrors: 20 });
  const op = invalid.length ? null : pickOperation(doc, params.operationName);
  const limits = op ? checkLimits(schema, doc, op, params.variables, g) : null;
  if (invalid.length || !op || limits!.errors.length) {
    // A refused query still counts once.
    const charged = await countRateLimits(ctx);
    if (charged === HANDLED) return HANDLED;
    const errors = invalid.length
      ? invalid.map(
          (e) =>
            new GraphQLError(e.message, {
              nodes: e.nodes,
              extensions: { code: 'graphql_validation_failed' },
            }),
        )
      : !op
        ? [
            new GraphQLError(
              params.operationName === null
                ? 'The document holds several operations: name one with operationName'
                : `No operation named "${params.operationName}"`,
              { extensions: { code: 'graphql_validation_failed' } },
            ),
          ]
        : limits!.errors;
    return refuse(
      ctx,
      errors,
      limits ? { cost: limits.measured.cost, depth: limits.measured.depth } : undefined,
    );
  }
  if (ctx.method === 'GET' && op.operation !== 'query') {
    ctx.headers.push(['allow', 'POST']);
    ctx.problem('method_not_allowed', `A ${op.operation} is sent with POST`);
    return HANDLED;
  }
  const cost = Math.max(1, limits!.measured.cost);
  const charged = await countRateLimits(ctx, cost);
  if (charged === HANDLED) return HANDLED;
  const rest = restCaller(ctx, run);
  const result: ExecutionResult = await execute({
    schema,
    document: doc,
    variableValues: params.variables,
    operationName: params.operationName,
    contextValue: new Loaders({ fetch: rest.fetch, maxList: g.maxList }),
  });
  if (ctx.res.destroyed) {
    ctx.done(499);
    return HANDLED;
  }
  const body: { data?: unknown; errors?: GraphQLFormattedError[]; extensions: object } = {
    ...(result.errors && { errors: result.errors.map(formatError) }),
    data: result.data ?? null,
    extensions: { cost, upstream_calls: rest.calls() },
  };
  return send(ctx, 200, body, performance.now() - t0);
}

/**
 * An execution error as the client sees it: a REST answer's problem code as it is; graphql-js's
 * own (a variable of the wrong type, a null in a non-null field) with its message; anything a
 * resolver threw otherwise is a bug whose message may hold internals: internal_error, no detail.
 */
function formatError(e: GraphQLError): GraphQLFormattedError {
  const f = e.toJSON();
  if (typeof e.extensions.code === 'string') return f;
  if (e.originalError && !(e.originalError instanceof GraphQLError))
    return { ...f, message: 'Internal error', extensions: { code: 'internal_error' } };
  const code = e.path ? 'graphql_execution_failed' : 'graphql_validation_failed';
  return { ...f, extensions: { ...f.extensions, code } };
}

/** GraphiQL's page and files (GET/HEAD), counted once against the rate limits. */
function graphiql(ctx: RequestContext, sub: string): StepResult | Promise<StepResult> {
  const g = ctx.rt.graphql!;
  const asset = g.graphiql ? graphiqlAsset(g.path, sub) : undefined;
  const serve = (): StepResult => {
    serveAsset(ctx, asset, {
      'content-security-policy': GRAPHIQL_CSP,
      'cache-control': sub === '/' ? 'no-cache' : 'public, max-age=3600',
    });
    return HANDLED;
  };
  const charged = countRateLimits(ctx);
  if (charged instanceof Promise) return charged.then((r) => (r === HANDLED ? HANDLED : serve()));
  return charged === HANDLED ? HANDLED : serve();
}

/** The GraphQL step; `run` sends each REST call of a resolver through the whole step list. */
export function graphql(run: (ctx: RequestContext) => void): Step {
  return {
    name: 'graphql',
    run(ctx) {
      if (ctx.route!.kind !== 'graphql') return undefined;
      const g = ctx.rt.graphql!;
      const sub = ctx.path.slice(g.path.length);
      const read = ctx.method === 'GET' || ctx.method === 'HEAD';
      if (sub !== '' && sub !== '/') {
        if (read) return graphiql(ctx, sub);
        ctx.problem('not_found', `No route for ${ctx.method} ${ctx.path}`);
        return HANDLED;
      }
      if (read && g.graphiql && wantsHtml(ctx.req.headers.accept) && !ctx.query.includes('query='))
        return graphiql(ctx, '/');
      const params = paramsOf(ctx);
      if (!('query' in params)) {
        if (params.unsupported) ctx.problem('unsupported_media_type', `Content-Type ${params.message}`);
        else
          ctx.problem('validation_failed', `${params.field} ${params.message}`, [
            {
              field: params.field,
              code: params.field === 'query' ? 'required' : 'format',
              message: params.message,
            },
          ]);
        return HANDLED;
      }
      return runQuery(ctx, params, run);
    },
    describe(p) {
      if (p.route!.kind !== 'graphql') return undefined;
      const g = p.rt.graphql!;
      p.note(
        'graphql',
        'info',
        `GraphQL (GET and POST; GraphiQL for browsers${g.graphiql ? '' : ': off'}): each field is loaded with this request's credentials through the REST routes, each through every step above (its own route, API-key scope, permission, passport); depth ≤ ${g.maxDepth}, aliases ≤ ${g.maxAliases}, cost ≤ ${g.maxCost}, counted by the rate limits by cost; docs/graphql.md`,
      );
      return 'answered by the gateway: 200 {data, errors?, extensions: {cost, upstream_calls}}; a query refused by syntax, validation or limits: {errors} without data (200, or 400 for Accept: application/graphql-response+json)';
    },
  };
}
