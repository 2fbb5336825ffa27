/**
 * CORS per route (Fetch standard §3.2). Only configured origins are answered; with
 * credentials the exact origin is echoed, never `*`; `Vary: Origin` whenever the answer
 * depends on it.
 */
import type { ResolvedConfig } from '../config/schema.ts';
import { parseDuration } from '../config/units.ts';

export interface CompiledCors {
  any: boolean;
  origins: ReadonlySet<string>;
  credentials: boolean;
  methods: string | null;
  headers: string | null;
  expose: string;
  maxAge: string;
}

const EXPOSE = [
  'X-Request-Id',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'Idempotent-Replayed',
  'Deprecation',
  'Sunset',
  'Link',
  'Location',
  'Server-Timing',
  'Portico-Version',
];

export function compileCors(c: ResolvedConfig['cors'][string]): CompiledCors {
  return {
    any: c.origins.includes('*'),
    origins: new Set(c.origins.filter((o) => o !== '*').map((o) => o.replace(/\/$/, ''))),
    credentials: c.credentials,
    methods: c.methods?.join(', ') ?? null,
    headers: c.headers?.join(', ') ?? null,
    expose: [...new Set([...EXPOSE, ...c.expose])].join(', '),
    maxAge: String(Math.round(parseDuration(c.max_age) / 1000)),
  };
}

/** Headers for an actual (non-preflight) response, or null when the origin is not allowed. */
export function corsHeaders(cors: CompiledCors, origin: string): [string, string][] | null {
  const allowed = cors.origins.has(origin);
  if (!allowed && !cors.any) return null;
  const h: [string, string][] = [];
  if (cors.any && !cors.credentials && !allowed) h.push(['access-control-allow-origin', '*']);
  else h.push(['access-control-allow-origin', origin], ['vary', 'Origin']);
  if (cors.credentials) h.push(['access-control-allow-credentials', 'true']);
  h.push(['access-control-expose-headers', cors.expose]);
  return h;
}

/** Headers answering a preflight (`OPTIONS` with `Access-Control-Request-Method`). */
export function preflightHeaders(
  cors: CompiledCors,
  origin: string,
  routeMethods: ReadonlySet<string> | null,
  requestHeaders: string | undefined,
): [string, string][] | null {
  const base = corsHeaders(cors, origin);
  if (!base) return null;
  const h = base.filter(([k]) => k !== 'access-control-expose-headers');
  if (!h.some(([k]) => k === 'vary')) h.push(['vary', 'Origin']);
  h.push([
    'access-control-allow-methods',
    cors.methods ?? (routeMethods ? [...routeMethods].join(', ') : 'GET, HEAD, POST, PUT, PATCH, DELETE'),
  ]);
  const allowHeaders = cors.headers ?? requestHeaders;
  if (allowHeaders) h.push(['access-control-allow-headers', allowHeaders]);
  h.push(['access-control-max-age', cors.maxAge]);
  return h;
}
