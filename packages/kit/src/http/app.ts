/**
 * Builds a service's HTTP app: Fastify 5 with TypeBox types, strict validation (unknown body
 * fields → 422), RFC 9457 errors for everything (400/401/403/404/405/409/413/415/422/5xx),
 * request ids, trace context, passport verification and the OpenAPI 3.1 document.
 */
import type { KeyObject } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import FindMyWay from 'find-my-way';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Logger } from 'pino';
import './fastify-types.ts';
import {
  AppError,
  isAppError,
  answerClientError,
  problem,
  PROBLEM_CONTENT_TYPE,
  type FieldError,
} from '../errors/problem.ts';
import type { ProblemCode } from '../errors/registry.ts';
import { anonymousCaller } from '../auth/caller.ts';
import { PASSPORT_HEADER, verifyPassport } from '../auth/passport.ts';
import { permissionScope } from '../auth/permissions.ts';
import { acceptRequestId, continueTrace } from './request-context.ts';
import { requestedVersion, versionChains } from './versioning.ts';
import { fieldErrors, nulFields } from './validation.ts';
import { readPositions } from '../pagination/cursor.ts';
import { kitEvents } from '../observability/diagnostics.ts';
import { runInScope } from '../runtime/scope.ts';
import { ROUTE_TEMPLATE_HEADER } from '../auth/passport.ts';
import type { ServiceApp } from '../service.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { sqlState } from '../db/sql-errors.ts';
import { PRECONDITION_FAILED_STATE } from '../db/row-versions.ts';
import { untraced, type RequestSpan, type RequestTracer } from '../observability/tracing.ts';
import { declareKitHeaders, declareRouteProblems, type RouteProblems } from '../openapi/headers.ts';

const spans = new WeakMap<object, RequestSpan>();
const documentTransforms = new WeakMap<object, ((doc: Record<string, any>) => void)[]>();

/** Adds a step that completes the service's OpenAPI document from what the kit does (headers, statuses). */
export function transformDocument(app: ServiceApp, fn: (doc: Record<string, any>) => void): void {
  const list = documentTransforms.get(app) ?? [];
  list.push(fn);
  documentTransforms.set(app, list);
}

export interface DeniedInfo {
  req: FastifyRequest;
  status: 401 | 403;
  reason: string;
}

export interface BuildAppOptions {
  service: string;
  version: string;
  description?: string;
  passportKey: KeyObject;
  logger: Logger;
  /** Default 1 MiB (docs/api-conventions.md). */
  bodyLimit?: number;
  /** OpenTelemetry request spans, when an exporter is configured. */
  tracer?: RequestTracer | undefined;
  /** Called (best-effort) when a caller is refused, to report `access.denied`. */
  onDenied?: (info: DeniedInfo) => void;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajvBase = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false } as const;
/** Validates bodies as the route's schema says (also the older shapes of versions/chain.ts). */
export const strictAjv = addFormats(new Ajv({ ...ajvBase, coerceTypes: false }));
const coercingAjv = addFormats(new Ajv({ ...ajvBase, coerceTypes: 'array' }));

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function sendProblem(
  reply: FastifyReply,
  code: ProblemCode,
  init: {
    detail?: string;
    errors?: FieldError[];
    headers?: Record<string, string>;
    extensions?: Record<string, unknown>;
  } = {},
): FastifyReply {
  const req = reply.request;
  const body = problem(code, {
    ...(init.detail !== undefined && { detail: init.detail }),
    ...(init.errors !== undefined && { errors: init.errors }),
    ...(init.extensions !== undefined && { extensions: init.extensions }),
    instance: req.url.split('?')[0]!,
    requestId: String(req.id),
  });
  for (const [k, v] of Object.entries(init.headers ?? {})) reply.header(k, v);
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** Requests whose JSON body holds a `\u0000` escape (set by the body parser). */
const nulInBody = new WeakSet<object>();

export async function buildServiceApp(opts: BuildAppOptions): Promise<ServiceApp> {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    genReqId: (req) => acceptRequestId(req.headers['x-request-id']),
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // What Node's HTTP parser refuses (headers over 16 KB, malformed HTTP) answers problem+json.
    clientErrorHandler: answerClientError,
    // Errors raised before routing (a path with bad percent-encoding) answer problem+json too.
    frameworkErrors: (err, req, reply) => {
      // Hooks do not run for these: set what the onRequest hook would have.
      reply.header('x-request-id', String(req.id));
      if (err.code === 'FST_ERR_BAD_URL')
        return sendProblem(reply, 'malformed_request', {
          detail: 'The request path has an invalid percent-encoding',
        });
      return sendProblem(reply, 'malformed_request', { detail: 'The request could not be parsed' });
    },
  }).withTypeProvider() as unknown as ServiceApp;

  // Bodies are validated strictly (a number is not a string); query strings and path params are
  // text on the wire, so they are coerced to the schema's types.
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema),
  );

  // JSON only: without Fastify's built-in text/plain parser a text body answers 415
  // (docs/api-conventions.md) instead of failing validation as a string.
  app.removeContentTypeParser('text/plain');

  // An empty body with a JSON content type (common on DELETE and action POSTs) means no body.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined);
    // The only way JSON carries a NUL character is the escape itself: look for fields only then.
    if ((body as string).includes('\\u0000')) nulInBody.add(req);
    return jsonParser(req, body as string, done);
  });

  // NUL characters (U+0000) cannot be stored in PostgreSQL text: 422 naming the field.
  app.addHook('preValidation', async (req) => {
    const inUrl = req.url.includes('%00');
    if (!inUrl && !nulInBody.has(req)) return;
    const fields = [
      ...(inUrl ? [...nulFields(req.params), ...nulFields(req.query)] : []),
      ...(nulInBody.has(req) ? nulFields(req.body).map((f) => f || 'body') : []),
    ];
    if (fields.length > 0)
      throw AppError.validation(
        fields.map((field) => ({
          field,
          code: 'invalid_character',
          message: 'must not contain the NUL character (U+0000)',
        })),
      );
  });

  // `starting_after` / `ending_before` become the `cursor` list routes pass to paginate().
  app.addHook('preValidation', async (req) => {
    const query = req.routeOptions.schema?.querystring as
      { properties?: Record<string, unknown> } | undefined;
    if (query?.properties?.ending_before && req.query && typeof req.query === 'object')
      readPositions(req.query as Record<string, unknown>);
  });

  // An action POST sent without a body (`POST /orders/1/cancel`) validates as an empty object.
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && req.routeOptions.schema?.body) req.body = {};
  });

  // A mirror of the route table, to tell 404 (no such path) from 405 (path exists, not this method).
  const router = FindMyWay();
  const routeProblems: RouteProblems[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const problems = route.config?.problems;
    if (problems?.length)
      for (const m of methods) routeProblems.push({ method: m, url: route.url, problems });
    for (const m of methods) {
      try {
        router.on(m as 'GET', route.url, () => {});
      } catch {
        /* duplicate HEAD mirror */
      }
    }
    // Unknown fields in a body are rejected (docs/api-conventions.md), so typos and mass
    // assignment (`"roles": ["admin"]`) fail loudly instead of being ignored.
    const body = route.schema?.body as { type?: string; additionalProperties?: unknown } | undefined;
    if (body && body.type === 'object' && body.additionalProperties === undefined)
      body.additionalProperties = false;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: opts.service,
        version: opts.version,
        ...(opts.description && { description: opts.description }),
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    hideUntagged: false,
  });

  app.decorateRequest('caller', null as never);
  app.decorateRequest('trace', null as never);

  app.addHook('onRequest', async (req, reply) => {
    if (opts.tracer && !untraced(req.url)) {
      const span = opts.tracer.start(req.method, req.headers);
      spans.set(req, span);
      req.trace = span.trace;
    } else {
      req.trace = continueTrace(req.headers.traceparent);
    }
    req.caller = anonymousCaller;
    reply.header('x-request-id', String(req.id));
    // The matched route's template, for the gateway's metrics and access log (it strips it).
    if (req.routeOptions.url) reply.header(ROUTE_TEMPLATE_HEADER, req.routeOptions.url);
    const cfg = req.routeOptions.config;
    if (cfg?.public) return;
    const result = verifyPassport(opts.passportKey, opts.service, header(req.headers[PASSPORT_HEADER]));
    if (!result.ok) {
      opts.onDenied?.({ req, status: 401, reason: `passport_${result.reason}` });
      return sendProblem(reply, 'unauthenticated', {
        detail: 'Requests must come through the gateway',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    req.caller = result.caller;
    if (!req.routeOptions.url) return; // unknown route: the 404/405 handler answers
    const auth = cfg?.auth ?? 'required';
    if (auth === 'required' && req.caller.id === null && req.caller.auth !== 'service') {
      opts.onDenied?.({ req, status: 401, reason: 'unauthenticated' });
      return sendProblem(reply, 'unauthenticated', {
        detail: 'Sign in to use this route',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    if (
      cfg?.permission &&
      req.caller.auth !== 'service' &&
      !permissionScope(req.caller.permissions, cfg.permission)
    ) {
      opts.onDenied?.({ req, status: 403, reason: `missing_permission:${cfg.permission}` });
      return sendProblem(reply, 'forbidden', { detail: `Requires the ${cfg.permission} permission` });
    }
    return undefined;
  });

  // Handlers run in the request's scope: events they publish carry its trace (runtime/scope.ts).
  // Entered just before the handler, after body parsing (stream callbacks lose the context).
  app.addHook('preHandler', (req, _reply, done) => runInScope(req.trace.traceparent, done));

  app.addHook('onResponse', async (req, reply) => {
    spans.get(req)?.end(reply.statusCode, req.routeOptions.url);
    kitEvents.request.publish({
      service: opts.service,
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: reply.elapsedTime,
    });
    if (reply.statusCode >= 500)
      req.log.error({ status: reply.statusCode, method: req.method, url: req.url }, 'request failed');
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = METHODS.filter((m) => router.find(m, path) !== null);
    if (allowed.length > 0) {
      return sendProblem(reply, 'method_not_allowed', {
        detail: `${req.method} is not allowed on ${path}`,
        headers: { allow: allowed.join(', ') },
      });
    }
    return sendProblem(reply, 'not_found', { detail: `No route for ${req.method} ${path}` });
  });

  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (isAppError(err)) {
      return sendProblem(reply, err.code, {
        detail: err.message,
        ...(err.errors && { errors: err.errors }),
        headers: err.headers,
        extensions: err.extensions,
      });
    }
    const fe = err as FastifyError & { validation?: unknown[]; validationContext?: string };
    if (fe.validation) {
      const errors = fieldErrors(fe.validation as never, fe.validationContext);
      const n = errors.length;
      return sendProblem(reply, 'validation_failed', {
        detail: `${n} field${n === 1 ? ' is' : 's are'} invalid`,
        errors,
      });
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 'payload_too_large', { detail: 'The body is larger than the limit' });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 'unsupported_media_type', { detail: 'Send the body as application/json' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, 'malformed_request', { detail: 'The body is not valid JSON' });
    }
    if (fe.statusCode === 400 || err instanceof SyntaxError) {
      return sendProblem(reply, 'malformed_request', { detail: 'The request could not be parsed' });
    }
    if (fe.statusCode === 413) return sendProblem(reply, 'payload_too_large');
    if (fe.statusCode === 415) return sendProblem(reply, 'unsupported_media_type');
    // Raised by the row-version trigger (db/row-versions.ts) when the addressed row is written.
    if (sqlState(err) === PRECONDITION_FAILED_STATE)
      return sendProblem(reply, 'precondition_failed', {
        detail: 'The resource changed since the ETag in If-Match was issued; read it again',
      });
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      return sendProblem(reply, 'service_unavailable', {
        detail: 'The service cannot reach its database right now; retry shortly',
        headers: { 'retry-after': '1' },
      });
    }
    // Anything else is ours: log it in full under the request id, answer without internals.
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, 'internal_error', {
      detail: 'An unexpected error occurred; quote the request_id',
    });
  });

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async (req) => {
    // `?version=` describes an older API version (docs/versions.md); 400 for an unknown one.
    const version = requestedVersion((req.query as { version?: unknown } | undefined)?.version);
    // A fresh copy each time: the transforms add to it, and @fastify/swagger caches its own.
    const doc = structuredClone(app.swagger()) as Record<string, any>;
    // The routes' own problems first, so the transforms (headers every answer carries) see them.
    declareRouteProblems(doc, routeProblems);
    for (const fn of documentTransforms.get(app) ?? []) fn(doc);
    declareKitHeaders(doc);
    return versionChains.get(app)?.document(doc, version) ?? doc;
  });
  return app;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export { AppError };
