/**
 * Declares what http/conditional.ts does in the service's OpenAPI document, from the routes
 * themselves: `ETag` on GET answers with `If-None-Match` and 304; `If-Match` on writes that
 * address a resource, with 412, and 428 (plus a required header) where the route demands it.
 */
import { problemJsonSchema } from '../errors/problem-schema.ts';

type Json = Record<string, any>;

export interface ConditionalRoute {
  method: string;
  /** Fastify's form: `/api/v1/tasks/:id`. */
  url: string;
  required: boolean;
}

const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: problemJsonSchema } },
});

const ETAG = {
  description:
    'Strong `"v<n>"` from the row version for one resource (`"v<n>.<Portico-Version>"` at an older API version); weak for lists and reports',
  schema: { type: 'string' },
};

function addParameter(op: Json, param: Json): void {
  const list: Json[] = (op.parameters ??= []);
  const name = String(param.name).toLowerCase();
  if (!list.some((p) => p.in === 'header' && String(p.name).toLowerCase() === name)) list.push(param);
}

/** `/api/v1/tasks/:id` → `/api/v1/tasks/{id}` (OpenAPI's template form). */
const openapiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function declareConditional(doc: Json, routes: readonly ConditionalRoute[]): void {
  for (const route of routes) {
    const op: Json | undefined = doc.paths?.[openapiPath(route.url)]?.[route.method.toLowerCase()];
    if (!op) continue;
    const responses: Json = (op.responses ??= {});
    const addressed = route.url.includes(':');
    if (route.method === 'GET') {
      addParameter(op, {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description: 'An ETag from an earlier answer: 304 without a body while it is still current',
        schema: { type: 'string' },
      });
      if (responses['200']) responses['200'].headers = { ...responses['200'].headers, ETag: ETAG };
      responses['304'] ??= {
        description: 'Not modified: the ETag in If-None-Match is current',
        headers: { ETag: ETAG },
      };
      continue;
    }
    if (!addressed && !route.required) continue;
    addParameter(op, {
      name: 'If-Match',
      in: 'header',
      required: route.required,
      description: route.required
        ? 'Required: the ETag from your last read of the resource (lost updates cost money or grades here)'
        : 'The ETag from your last read of the resource: the write happens only if it is still current',
      schema: { type: 'string' },
    });
    for (const [status, r] of Object.entries(responses))
      if (/^2\d\d$/.test(status) && status !== '204' && r && typeof r === 'object')
        (r as Json).headers = { ...(r as Json).headers, ETag: ETAG };
    responses['412'] ??= problem('`precondition_failed`: the resource changed since the ETag in If-Match');
    if (route.required) responses['428'] ??= problem('`precondition_required`: send If-Match');
  }
}
