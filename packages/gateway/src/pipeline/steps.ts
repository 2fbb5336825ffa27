/**
 * The request path, in order. The gateway dispatches every request through this list and
 * `explain` describes a request by walking it, so the two cannot disagree.
 */
import { edge } from './edge.ts';
import { deprecation, matchRoute, ownRoutes } from './route.ts';
import { cors, preflight } from './cors.ts';
import { declaredSize, readBody } from './body.ts';
import { authenticate } from './authenticate.ts';
import { apiVersion } from './api-version.ts';
import { authorize } from './authorize.ts';
import { rateLimit } from './rate-limit.ts';
import { plan } from './plan.ts';
import { idempotency } from './idempotency.ts';
import { batch } from './batch.ts';
import { graphql } from './graphql.ts';
import { issueWsTicket, redeemWsTicket, websocket } from './websocket.ts';
import { forward } from './forward.ts';
import { ops } from './ops.ts';
import { usage } from './usage.ts';
import { dispatch, type Step } from './step.ts';
import type { RequestContext } from './context.ts';

export const STEPS: readonly Step[] = [
  edge, // 400 on a path that climbs out or has bad percent-encoding
  ownRoutes, // health, metrics, OpenAPI, docs
  preflight, // CORS preflight: 204
  matchRoute, // 404 / 405
  cors, // CORS headers on every later answer
  deprecation, // Deprecation/Sunset headers; 410 past the sunset
  declaredSize, // 413 on a declared Content-Length over the limit
  apiVersion, // 400 on an unknown Portico-Version
  redeemWsTicket, // a WebSocket handshake's ?ticket= → its credential (401 when unusable)
  authenticate, // 401 / 503
  authorize, // 403
  rateLimit, // 429 / 503
  plan, // the consumer's plan: 429 past its rate, monthly quota or concurrency cap
  readBody, // 413 when the body grows past the limit
  idempotency, // replay / 409 / 422
  batch(handle), // the batch route: each operation through this whole list
  graphql(handle), // GraphQL: each REST call of its resolvers through this whole list
  issueWsTicket, // POST /api/v1/ws-tickets: 201 with a single-use ticket
  websocket, // a WebSocket handshake: relayed to the service (429 past the caller's cap)
  ops, // /api/v1/ops: dead letters, replay, the live event feed (admins)
  usage, // /api/v1/usage: the caller's usage; callers of deprecated routes (admins)
  forward, // upstream with a passport, answer streamed back
];

/** Runs one request through the pipeline. */
export function handle(ctx: RequestContext): void {
  dispatch(ctx, STEPS);
}
