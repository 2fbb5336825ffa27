/**
 * Typed calls to other services: a timeout, retries with backoff for idempotent calls only, a
 * circuit breaker per target (cockatiel), and a passport for the target carrying the caller.
 *
 * @example
 *   const course = await deps.call.get('curriculum', `/api/v1/courses/${id}`, { caller: req.caller });
 */
import { currentTraceparent } from '../runtime/scope.ts';
import type { KeyObject } from 'node:crypto';
import { request } from 'undici';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  BrokenCircuitError,
  TaskCancelledError,
  type IPolicy,
} from 'cockatiel';
import type { Caller } from '../auth/caller.ts';
import { PASSPORT_HEADER, mintPassport } from '../auth/passport.ts';
import { AppError } from '../errors/problem.ts';

export interface CallOptions {
  /** Whose identity the call carries; default: the calling service itself. */
  caller?: Caller;
  body?: unknown;
  requestId?: string;
  /** W3C trace context to send; default: the current request's or event's (runtime/scope.ts). */
  traceparent?: string;
  timeoutMs?: number;
}

export interface CallResult<T> {
  status: number;
  body: T;
}

export interface ServiceClient {
  request<T = unknown>(
    method: string,
    service: string,
    path: string,
    opts?: CallOptions,
  ): Promise<CallResult<T>>;
  get<T = unknown>(service: string, path: string, opts?: CallOptions): Promise<CallResult<T>>;
  post<T = unknown>(service: string, path: string, opts?: CallOptions): Promise<CallResult<T>>;
}

class TransientError extends Error {}
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function createServiceClient(opts: {
  self: string;
  /** Passport keys for the services this one may call. */
  keys: Map<string, KeyObject>;
  urlOf: (service: string) => string | undefined;
  defaultTimeoutMs?: number;
}): ServiceClient {
  const breakers = new Map<string, IPolicy>();
  const breakerFor = (service: string) => {
    let b = breakers.get(service);
    if (!b) {
      b = circuitBreaker(
        handleWhen((e) => e instanceof TransientError),
        {
          halfOpenAfter: 5_000,
          breaker: new ConsecutiveBreaker(5),
        },
      );
      breakers.set(service, b);
    }
    return b;
  };
  const retryPolicy = retry(
    handleWhen((e) => e instanceof TransientError),
    {
      maxAttempts: 2,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
    },
  );

  const selfCaller: Caller = { id: null, roles: [], permissions: [], auth: 'service', service: opts.self };

  async function send<T>(
    method: string,
    service: string,
    path: string,
    o: CallOptions = {},
  ): Promise<CallResult<T>> {
    const key = opts.keys.get(service);
    const base = opts.urlOf(service);
    if (!key || !base)
      throw new Error(`${opts.self} may not call ${service}: declare it in the service's \`calls\``);
    const caller = o.caller ? { ...o.caller, service: opts.self } : selfCaller;
    const headers: Record<string, string> = {
      [PASSPORT_HEADER]: mintPassport(key, service, caller).token,
      accept: 'application/json',
    };
    if (o.requestId) headers['x-request-id'] = o.requestId;
    // Continues the trace of the request or event in hand unless told otherwise.
    const traceparent = o.traceparent ?? currentTraceparent();
    if (traceparent) headers.traceparent = traceparent;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const attempt = async ({ signal }: { signal: AbortSignal }) => {
      try {
        const res = await request(base + path, {
          method: method as 'GET',
          headers,
          body: o.body === undefined ? null : JSON.stringify(o.body),
          signal,
        });
        const text = await res.body.text();
        if (res.statusCode >= 502) throw new TransientError(`${service} answered ${res.statusCode}`);
        return { status: res.statusCode, body: (text ? JSON.parse(text) : null) as T };
      } catch (err) {
        if (err instanceof TransientError) throw err;
        if ((err as Error).name === 'AbortError' || signal.aborted) throw err;
        throw new TransientError(`${service} unreachable: ${(err as Error).message}`);
      }
    };
    const policies = [
      ...(IDEMPOTENT.has(method) ? [retryPolicy] : []),
      breakerFor(service),
      timeout(o.timeoutMs ?? opts.defaultTimeoutMs ?? 5_000, TimeoutStrategy.Aggressive),
    ];
    try {
      return await wrap(...policies).execute(attempt);
    } catch (err) {
      if (err instanceof BrokenCircuitError)
        throw new AppError('service_unavailable', `${service} is unavailable`, {
          headers: { 'retry-after': '5' },
        });
      if (err instanceof TaskCancelledError)
        throw new AppError('gateway_timeout', `${service} did not answer in time`);
      if (err instanceof TransientError) throw new AppError('bad_gateway', `${service} failed`);
      throw err;
    }
  }

  return {
    request: send,
    get: (s, p, o) => send('GET', s, p, o),
    post: (s, p, o) => send('POST', s, p, o),
  };
}
