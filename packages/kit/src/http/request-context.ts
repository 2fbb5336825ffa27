/**
 * Request ids and W3C trace context (https://www.w3.org/TR/trace-context/ §3.2).
 * A well-formed incoming `X-Request-Id` is kept, anything else replaced; `traceparent` is
 * continued with a new span id for this hop, or started when absent or malformed.
 */
import { randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function acceptRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : uuidv7();
}

export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  flags: string;
  /** The value to send on outgoing calls made while handling this request. */
  traceparent: string;
}

export function continueTrace(header: string | string[] | undefined): TraceContext {
  const m = typeof header === 'string' ? TRACEPARENT.exec(header) : null;
  const valid = m && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!);
  const traceId = valid ? m[1]! : randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const flags = valid ? m[3]! : '01';
  return {
    traceId,
    spanId,
    parentSpanId: valid ? m[2]! : null,
    flags,
    traceparent: `00-${traceId}-${spanId}-${flags}`,
  };
}
