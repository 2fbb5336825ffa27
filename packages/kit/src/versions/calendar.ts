/**
 * The platform's dated API versions (docs/versions.md), oldest first. A client names one in the
 * `Portico-Version` request header; a user or API key is pinned to the latest one when it is
 * created. Adding a version: append its date here, then declare what changed in the services
 * that changed (`versions` in `defineService`, see chain.ts). Dates are never removed.
 */
export const API_VERSIONS = [
  /** The API as it was before dated versions. */
  '2026-01-01',
  /** orders: money as `{ amount, currency }` objects. */
  '2026-12-01',
] as const;

export type ApiVersion = (typeof API_VERSIONS)[number];

export const LATEST_API_VERSION: ApiVersion = API_VERSIONS[API_VERSIONS.length - 1]!;

/** The request header naming a version, and the response header echoing the one used. */
export const VERSION_HEADER = 'portico-version';

const known = new Set<string>(API_VERSIONS);

export function isApiVersion(v: unknown): v is ApiVersion {
  return typeof v === 'string' && known.has(v);
}

/**
 * The version a request runs at: an explicit, known `Portico-Version` header, else the
 * credential's pin, else the latest. An unknown header value is the caller's problem (400,
 * checked before this); an unknown pin (a date removed by mistake) falls back to the latest.
 */
export function effectiveVersion(header: string | undefined, pin: string | undefined): ApiVersion {
  if (isApiVersion(header)) return header;
  if (isApiVersion(pin)) return pin;
  return LATEST_API_VERSION;
}

/** The field error for an unknown `Portico-Version` (the gateway and the kit answer 400 with it). */
export function unknownVersionError(value: string) {
  return {
    field: 'Portico-Version',
    code: 'not_allowed',
    message: `${JSON.stringify(value.slice(0, 40))} is not an API version`,
    allowed: [...API_VERSIONS],
  };
}
