/**
 * The registry of every problem `code` Portico answers with (RFC 9457 §3.1 `type`, `title`,
 * `status`). Clients switch on `code`; a retired code is never reused. The kit defines the
 * platform-generic codes; each domain registers its own from `@portico/contracts` with
 * `registerProblems()` and adds them to the `ProblemCodes` interface (declaration merging), so
 * adding a service touches no kit file. `docs/errors.md` is generated from the registry.
 */
/** Where the gateway serves a page per code (`/problems/{code}`, HTML or problem+json). */
export const PROBLEM_PATH = '/problems/';

/**
 * The base of every problem's `type`: origin-relative by default (RFC 9457 §3.1.1 allows a URI
 * reference; a client resolves it against the URL it called, which is the gateway), absolute
 * under `PORTICO_PUBLIC_URL` when the platform is reached by a public URL (set it for every
 * process: services answer problems too).
 */
let problemBase = publicProblemBase(process.env.PORTICO_PUBLIC_URL);

function publicProblemBase(publicUrl: string | undefined): string {
  if (!publicUrl) return PROBLEM_PATH;
  const url = new URL(publicUrl); // throws on a malformed value: a configuration error at start
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error('PORTICO_PUBLIC_URL must be http(s)');
  return url.origin + url.pathname.replace(/\/+$/, '') + PROBLEM_PATH;
}

/** Sets the public base URL (`https://api.example.com`); undefined restores the relative default. */
export function setPublicUrl(publicUrl: string | undefined): void {
  problemBase = publicProblemBase(publicUrl);
}

export interface ProblemDefinition {
  readonly status: number;
  readonly title: string;
}

/** Codes any service, the gateway or the kit may answer with. */
export const platformProblems = {
  malformed_request: { status: 400, title: 'Malformed request' },
  idempotency_key_required: { status: 400, title: 'Idempotency-Key header required' },
  unsupported_api_version: { status: 400, title: 'Unsupported API version' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  invalid_token: { status: 401, title: 'Invalid credentials' },
  invalid_passport: { status: 401, title: 'Invalid gateway passport' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  already_exists: { status: 409, title: 'Already exists' },
  invalid_state: { status: 409, title: 'Invalid state transition' },
  idempotency_in_progress: { status: 409, title: 'A request with this idempotency key is in progress' },
  gone: { status: 410, title: 'Gone' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  request_headers_too_large: { status: 431, title: 'Request header fields too large' },
  validation_failed: { status: 422, title: 'Validation failed' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused with a different request' },
  precondition_required: { status: 428, title: 'Precondition required' },
  rate_limited: { status: 429, title: 'Too many requests' },
  quota_exceeded: { status: 429, title: 'Monthly quota exceeded' },
  concurrency_limited: { status: 429, title: 'Too many requests in flight' },
  internal_error: { status: 500, title: 'Internal server error' },
  bad_gateway: { status: 502, title: 'Bad gateway' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  gateway_timeout: { status: 504, title: 'Gateway timeout' },
} as const satisfies Record<string, ProblemDefinition>;

type PlatformProblems = { readonly [K in keyof typeof platformProblems]: ProblemDefinition };

/**
 * Every known code. Domains add theirs by declaration merging:
 * `declare module '@portico/kit' { interface ProblemCodes extends typeof financeProblems {} }`
 * (see `@portico/contracts`), next to a `registerProblems(financeProblems)` call.
 */
export interface ProblemCodes extends PlatformProblems {}

export type ProblemCode = keyof ProblemCodes & string;

const entries: Record<string, ProblemDefinition & { domain: string }> = Object.fromEntries(
  Object.entries(platformProblems).map(([code, def]) => [code, { ...def, domain: 'platform' }]),
);

/** Every registered code's status and title, by code (filled as domains register). */
export const problemRegistry: Readonly<Record<ProblemCode, ProblemDefinition>> = entries as never;

/** Adds a domain's codes; a code registered twice with another status or title is an error. */
export function registerProblems<T extends Record<string, ProblemDefinition>>(domain: string, table: T): T {
  for (const [code, def] of Object.entries(table)) {
    const known = entries[code];
    if (known && (known.status !== def.status || known.title !== def.title))
      throw new Error(`problem code ${code} is already registered by ${known.domain} with another meaning`);
    if (!known) entries[code] = { status: def.status, title: def.title, domain };
  }
  return table;
}

/** The definition of a registered code (throws for a code nobody registered: a programming error). */
export function problemDefinition(code: ProblemCode): ProblemDefinition {
  const def = entries[code];
  if (!def) throw new Error(`problem code ${code} is not registered (import its domain's contracts)`);
  return def;
}

/** Every registered code with its owner (platform or a domain), for docs and tests. */
export function registeredProblems(): { code: string; domain: string; status: number; title: string }[] {
  return Object.entries(entries).map(([code, def]) => ({ code, ...def }));
}

/** A problem's `type`: the page the gateway serves for its code, spelled exactly as the code. */
export function problemType(code: ProblemCode): string {
  return problemBase + code;
}
