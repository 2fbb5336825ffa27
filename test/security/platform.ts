/**
 * What the security suite shares: the whole platform through one gateway (embedded by default,
 * distributed with PORTICO_SYSTEM_MODE=distributed), the gateway's /openapi.json, and the
 * checks every refusal must pass (RFC 9457 problem+json with a stable code).
 */
import { expect } from 'vitest';
import type { Session, System } from '../system/harness.ts';

export { ALL_SERVICES } from '../system/harness.ts';

export const HTTP_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;

export type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
};
export type Operation = {
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
};
export type OpenApiDoc = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

export interface DocumentedOperation {
  method: string;
  template: string;
  op: Operation;
}

/** Every operation of the document, in a stable order. */
export function operations(doc: OpenApiDoc): DocumentedOperation[] {
  const out: DocumentedOperation[] = [];
  for (const [template, ops] of Object.entries(doc.paths))
    for (const method of HTTP_METHODS) if (ops[method]) out.push({ method, template, op: ops[method] });
  return out;
}

/** The template with each `{param}` filled by `value`. */
export const fill = (template: string, value = '00000000-0000-7000-8000-000000000000') =>
  template.replace(/\{[^}]+\}/g, value);

/** A refusal as the conventions promise: this status, problem+json, a code, no leak. */
export function expectProblem(
  what: string,
  res: { status: number; headers: Headers; body: unknown },
  status: number,
  code?: string,
): void {
  const text = JSON.stringify(res.body ?? '').slice(0, 300);
  expect(res.status, `${what} → ${res.status} ${text}`).toBe(status);
  expect(res.headers.get('content-type') ?? '', what).toContain('application/problem+json');
  const body = res.body as { code?: unknown; status?: unknown };
  expect(body.code, what).toEqual(code ?? expect.any(String));
  expect(body.status, what).toBe(status);
}

/** Creates an API key for `owner` with `scopes`; returns the secret. */
export async function apiKey(owner: Session, scopes: string[]): Promise<string> {
  const res = await owner.client.post('/api/v1/api-keys', { name: `sec-${scopes.join('+')}`, scopes });
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { key: string }).key;
}

/** A client sending `key` as `X-API-Key`. */
export function keyClient(sys: System, key: string) {
  return {
    request: (method: string, path: string, body?: unknown) =>
      sys.anonymous.request(method, path, body, { 'x-api-key': key }),
  };
}
