/**
 * The routes the gateway answers itself (WebSocket tickets, batch, GraphQL), written as routes of
 * the config so that they go through the same steps as any proxied route (config/compile.ts).
 */
import type { ResolvedConfig } from './schema.ts';

type Route = ResolvedConfig['routes'][number];

/** The service name the batch route reports (it has no upstream: the gateway answers it). */
export const BATCH_SERVICE = 'gateway';

/** `POST /api/v1/ws-tickets`, when a route takes WebSockets: a route like any other (auth required). */
export function ticketRoute(config: ResolvedConfig): Route | null {
  if (!config.routes.some((r) => r.websocket)) return null;
  return {
    name: 'ws-tickets',
    path: config.websockets.tickets_path,
    methods: ['POST'],
    service: BATCH_SERVICE,
    auth: 'required',
    // The ticket stands for the caller's own credential; an API key needs no scope for it
    // (the WebSocket route it is redeemed on checks the key's scope).
    api_key_scope: '*',
    rate_limits: config.defaults.rate_limits,
    idempotency: false,
    openapi: true,
  };
}

/** The batch endpoint as a route of its own, so it goes through the same steps as any other. */
export function batchRoute(config: ResolvedConfig): Route | null {
  const b = config.batch;
  if (!b.enabled) return null;
  return {
    name: 'batch',
    path: b.path,
    methods: ['POST'],
    service: BATCH_SERVICE,
    // Each operation authenticates itself with the batch's credentials; the batch needs none of
    // its own, but a credential it carries must be valid (and scopes its Idempotency-Key).
    auth: 'optional',
    // Any resource (`auth/key-scopes.ts`, gatewayRouteKeyRefusal): each operation passes its own
    // route's scope check; the envelope itself calls no service.
    api_key_scope: '*',
    rate_limits: b.rate_limits,
    ...(b.cors !== undefined && { cors: b.cors }),
    ...(b.body_limit !== undefined && { body_limit: b.body_limit }),
    idempotency: true,
    openapi: true,
  };
}

/**
 * The GraphQL endpoint as a route of its own (a prefix: GraphiQL's files live under it). Its
 * resolvers call the REST routes with the caller's credentials, each through every step, so
 * the endpoint itself needs none; a credential it carries must be valid. Its rate limits are
 * counted by each query's cost, in the GraphQL step.
 */
export function graphqlRoute(config: ResolvedConfig): Route | null {
  const g = config.graphql;
  if (!g.enabled) return null;
  return {
    name: 'graphql',
    prefix: g.path,
    methods: ['GET', 'POST'],
    service: BATCH_SERVICE,
    auth: 'optional',
    api_key_scope: '*',
    ...(g.rate_limits !== undefined && { rate_limits: g.rate_limits }),
    ...(g.cors !== undefined && { cors: g.cors }),
    ...(g.body_limit !== undefined && { body_limit: g.body_limit }),
    idempotency: false,
    openapi: true,
  };
}
