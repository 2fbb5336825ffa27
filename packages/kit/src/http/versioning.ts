/**
 * Dated versions in the HTTP layer (docs/versions.md): every request runs at the version its
 * `Portico-Version` header names (the gateway sets it: the client's explicit header, else the
 * credential's pin, else the latest; a call without it runs at the latest). Bodies of older
 * versions are validated against their own shape and upgraded before the route's validation;
 * 2xx JSON answers are downgraded after serialisation; every answer echoes the version used.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/problem.ts';
import type { ServiceApp } from '../service.ts';
import { transformDocument } from './app.ts';
import {
  API_VERSIONS,
  isApiVersion,
  LATEST_API_VERSION,
  unknownVersionError,
  VERSION_HEADER,
  type ApiVersion,
} from '../versions/calendar.ts';
import { VersionChain, type Compile, type VersionChange } from '../versions/chain.ts';

type Json = Record<string, any>;

/** The version a request asks for; throws the 400 for an unknown one. */
export function requestedVersion(value: unknown): ApiVersion {
  if (value === undefined || value === '') return LATEST_API_VERSION;
  const v = Array.isArray(value) ? String(value[0]) : String(value);
  if (isApiVersion(v)) return v;
  throw new AppError('unsupported_api_version', 'Name a supported API version, or send none for the latest', {
    errors: [unknownVersionError(v)],
  });
}

function routeKey(req: FastifyRequest): string {
  return `${req.method} ${req.routeOptions.url ?? ''}`;
}

const VERSION_PARAMETER = {
  name: 'Portico-Version',
  in: 'header',
  required: false,
  description: "The API version (docs/versions.md); default: the credential's pin, else the latest",
  schema: { type: 'string', enum: [...API_VERSIONS] },
};
const VERSION_RESPONSE_HEADER = {
  description: 'The API version the answer is in',
  schema: { type: 'string', enum: [...API_VERSIONS] },
};

/** Declares the request header and the echoed response header on every operation and answer. */
function declareVersionHeaders(doc: Json): void {
  for (const item of Object.values((doc.paths ?? {}) as Json))
    for (const op of Object.values(item as Json) as Json[]) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const params = (op.parameters ??= []) as Json[];
      if (!params.some((p) => p.in === 'header' && String(p.name).toLowerCase() === VERSION_HEADER))
        params.push(VERSION_PARAMETER);
      // Every answer echoes it, problems included (the hook below runs before any handler).
      for (const res of Object.values(op.responses as Json))
        if (res && typeof res === 'object' && !res.$ref)
          res.headers = { 'Portico-Version': VERSION_RESPONSE_HEADER, ...res.headers };
    }
}

/** Each app's chain, for `/openapi.json?version=` (http/app.ts). */
export const versionChains = new WeakMap<object, VersionChain>();

/**
 * Installs the hooks. Call after the idempotency hooks and before routes: a stored answer is
 * kept in the newest shape and downgraded for whoever replays it.
 */
export function installVersions(
  app: ServiceApp,
  service: string,
  changes: readonly VersionChange[],
  compile: Compile,
): VersionChain {
  const chain = new VersionChain(service, changes, compile);
  versionChains.set(app, chain);
  transformDocument(app, declareVersionHeaders);
  app.decorateRequest('apiVersion', LATEST_API_VERSION);

  app.addHook('onRequest', async (req, reply) => {
    req.apiVersion = requestedVersion(req.headers[VERSION_HEADER]);
    reply.header(VERSION_HEADER, req.apiVersion);
    reply.header('vary', VERSION_HEADER);
  });

  app.addHook('preValidation', async (req) => {
    if (req.apiVersion === LATEST_API_VERSION || req.body === undefined) return;
    const out = chain.upgradeRequest(req.apiVersion, routeKey(req), req.body);
    if (!out.ok) throw AppError.validation(out.errors);
    req.body = out.body;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (req.apiVersion === LATEST_API_VERSION || typeof payload !== 'string' || payload === '')
      return payload;
    if (reply.statusCode < 200 || reply.statusCode > 299) return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
    const key = routeKey(req);
    if (chain.steps(req.apiVersion, key).length === 0) return payload;
    return JSON.stringify(chain.downgradeResponse(req.apiVersion, key, JSON.parse(payload)));
  });
  return chain;
}
