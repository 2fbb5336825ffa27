/**
 * Declares the response headers the kit itself sets, in a service's OpenAPI document: `Location`
 * on 201 and 202 (routes that create a resource, or accept a job, point at it) and `Link` (RFC 8288 `first`/`prev`/`next`)
 * on list answers, which are the routes taking a `starting_after` or `cursor` position (pagination/cursor.ts).
 * `X-Request-Id` is on every answer. The system tests' document validator fails on a header a
 * response carries that its operation does not declare (docs/api-contract.md).
 */
import { problemJsonSchema } from '../errors/problem-schema.ts';
import { problemRegistry, type ProblemCode } from '../errors/registry.ts';

type Json = Record<string, any>;

export interface RouteProblems {
  method: string;
  /** Fastify's form: `/api/v1/tasks/:id`. */
  url: string;
  problems: readonly ProblemCode[];
}

/**
 * Each route's `config.problems` as documented responses: one per status, its description naming
 * the codes (`invalid_credentials`, `mfa_required`), `x-portico-problem-codes` listing them.
 */
export function declareRouteProblems(doc: Json, routes: readonly RouteProblems[]): void {
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op: Json | undefined = doc.paths?.[path]?.[route.method.toLowerCase()];
    if (!op) continue;
    const responses: Json = (op.responses ??= {});
    const byStatus = new Map<number, string[]>();
    for (const code of route.problems) {
      const def = problemRegistry[code];
      if (!def) throw new Error(`${route.method} ${route.url}: unknown problem code ${code}`);
      byStatus.set(def.status, [...(byStatus.get(def.status) ?? []), code]);
    }
    for (const [status, codes] of byStatus) {
      const existing = responses[String(status)] as Json | undefined;
      const known: string[] = existing?.['x-portico-problem-codes'] ?? [];
      const all = [...new Set([...known, ...codes])];
      responses[String(status)] = {
        description: all.map((c) => `\`${c}\`: ${problemRegistry[c as ProblemCode].title}`).join('; '),
        'x-portico-problem-codes': all,
        ...((status === 429 || status === 503) && {
          headers: {
            'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
          },
        }),
        content: { 'application/problem+json': { schema: problemJsonSchema } },
      };
    }
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export const REQUEST_ID_HEADER = {
  description: 'The request id (kept from the request when well-formed); quote it when reporting a problem',
  schema: { type: 'string' },
};
const LOCATION_HEADER = { description: 'Where the created resource is read', schema: { type: 'string' } };
const LINK_HEADER = {
  description: 'RFC 8288 links to the `first`, `prev` and `next` pages',
  schema: { type: 'string' },
};

export function declareKitHeaders(doc: Json): void {
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = item?.[method] as Json | undefined;
      if (!op?.responses) continue;
      const params = [...((item.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])];
      const paged = params.some(
        (p) => p.in === 'query' && ['starting_after', 'ending_before', 'cursor'].includes(String(p.name)),
      );
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        if (!r || typeof r !== 'object' || r.$ref) continue;
        const headers: Json = { 'X-Request-Id': REQUEST_ID_HEADER, ...r.headers };
        if (status === '201' || status === '202') headers.Location ??= LOCATION_HEADER;
        if (paged && (status === '200' || status === '304')) headers.Link ??= LINK_HEADER;
        r.headers = headers;
      }
    }
  }
}
