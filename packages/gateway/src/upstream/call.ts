/**
 * The gateway's own calls to a service (not a client's request relayed): one instance picked as
 * for any request, its breaker told the outcome, a short timeout, the answer read as JSON.
 * Used for identity (JWKS, API keys) and the operator routes (`ops/`).
 */
import type { UpstreamService } from './service.ts';

export interface ServiceCall {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** `json` is null when the answer was not JSON. Throws when no instance answered. */
export async function callService(
  svc: UpstreamService,
  call: ServiceCall,
): Promise<{ status: number; json: unknown }> {
  const inst = svc.pick(Date.now(), null);
  if (!inst) throw new Error(`${svc.name} has no available instance`);
  try {
    const res = await inst.pool.request({
      method: call.method,
      path: call.path,
      headers: call.headers,
      body: call.body ?? null,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    const text = await res.body.text();
    inst.breaker.success();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: callers treat a null body as a failure.
    }
    return { status: res.statusCode, json };
  } catch (err) {
    inst.breaker.failure(Date.now());
    throw err;
  }
}
