/** Adds the kit's request fields and route options to Fastify's types. */
import type { Caller } from '../auth/caller.ts';
import type { TraceContext } from './request-context.ts';
import type { ApiVersion } from '../versions/calendar.ts';
import type { ProblemCode } from '../errors/registry.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the gateway says is calling (from the verified passport). */
    caller: Caller;
    trace: TraceContext;
    /** The API version the request runs at (http/versioning.ts); bodies are already upgraded to the newest shape. */
    apiVersion: ApiVersion;
  }
  interface FastifyContextConfig {
    /** No passport needed: health, metrics, OpenAPI. */
    public?: boolean;
    /** `required` (default for /api routes): an authenticated caller; `optional`: anonymous allowed. */
    auth?: 'required' | 'optional';
    /** Permission the caller must hold (`orders:create`); ownership is checked by the handler. */
    permission?: string;
    /**
     * Problem codes the route answers with beyond the conventional refusals (the gateway declares
     * 400/403/404/409/413/422 and 5xx): each becomes a documented response of its status.
     */
    problems?: readonly ProblemCode[];
  }
}
