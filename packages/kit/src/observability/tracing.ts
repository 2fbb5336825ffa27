/**
 * OpenTelemetry spans, only when an exporter is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, OTLP over HTTP/JSON). Without one, nothing is loaded and
 * requests carry W3C trace context from `request-context.ts` at no cost. With one:
 * - each request is a SERVER span whose id is the one sent downstream in `traceparent` (the
 *   gateway's span, then the service's), so every hop joins one trace;
 * - the outbox relay sends each event inside a PRODUCER span, child of the trace the event was
 *   written under, and the event travels with the producer's `traceparent`;
 * - a consumer handles each event inside a CONSUMER span, child of the producer, and what the
 *   handler publishes carries that span's trace.
 *
 * Every part (gateway, orders, shipping, …) has its own tracer provider whose resource names it
 * (`service.name`, with `service.namespace: portico`), so in embedded mode, where all parts share
 * one process, each span still says which service it belongs to, as it does in distributed mode.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IncomingHttpHeaders } from 'node:http';
import type { TraceContext } from '../http/request-context.ts';
import type { EventEnvelope } from '../events/envelope.ts';

export interface RequestSpan {
  trace: TraceContext;
  /** Ends the span; `route` is the route template (`/api/v1/orders/:id`), when one matched. */
  end(status: number, route: string | undefined): void;
}

/** A span around one event hop: `traceparent` is what the hop's children continue. */
export interface EventSpan {
  readonly traceparent: string;
  end(error?: unknown, attributes?: Record<string, string | number | boolean>): void;
}

export interface RequestTracer {
  /** A SERVER span for a request, continuing its `traceparent` header. */
  start(method: string, headers: IncomingHttpHeaders): RequestSpan;
  /** A PRODUCER span for sending an event, child of the event's own `traceparent`. */
  producer(event: EventEnvelope): EventSpan;
  /** A CONSUMER span for handling an event by `consumer`, child of the event's `traceparent`. */
  consumer(event: EventEnvelope, consumer: string, attempt: number): EventSpan;
  flush(): Promise<void>;
}

interface Provider {
  getTracer(name: string): Tracer;
  forceFlush(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();
/** One provider per service name (and endpoint), shared by every start of that service in the process. */
const providers = new Map<string, Promise<Provider>>();

/** Probes and scrapes (`/health/*`, `/metrics`) make no spans: they would bury the traces of real work. */
export function untraced(url: string | undefined): boolean {
  return url !== undefined && (url.startsWith('/health') || url.startsWith('/metrics'));
}

/** The OTLP traces URL from the standard environment variables, or undefined. */
export function otlpTracesUrl(env: Record<string, string | undefined>): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT)
    return env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '') + '/v1/traces';
  return undefined;
}

async function newProvider(service: string, url: string): Promise<Provider> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  return new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': 'portico' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 })],
  });
}

function traceparentOf(span: Span): string {
  const ctx = span.spanContext();
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.traceFlags.toString(16).padStart(2, '0')}`;
}

function parentOf(traceparent: string | undefined): Context {
  return traceparent === undefined
    ? ROOT_CONTEXT
    : propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

function eventSpan(span: Span): EventSpan {
  return {
    traceparent: traceparentOf(span),
    end(error, attributes) {
      if (attributes) span.setAttributes(attributes);
      if (error !== undefined) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
        span.setAttribute('error.type', error instanceof Error ? error.name : 'error');
      }
      span.end();
    },
  };
}

/**
 * The tracer of one service (`gateway`, `orders`, …), or undefined when no OTLP endpoint is
 * configured (then nothing of OpenTelemetry's SDK is even loaded).
 */
export async function createRequestTracer(
  service: string,
  env: Record<string, string | undefined>,
): Promise<RequestTracer | undefined> {
  const url = otlpTracesUrl(env);
  if (!url) return undefined;
  const key = `${service} ${url}`;
  let pending = providers.get(key);
  if (!pending) providers.set(key, (pending = newProvider(service, url)));
  const provider = await pending;
  const tracer = provider.getTracer('portico-kit');
  const messaging = (event: EventEnvelope, operation: 'send' | 'process') => ({
    'messaging.system': 'portico',
    'messaging.operation.type': operation,
    'messaging.destination.name': event.type,
    'messaging.message.id': event.id,
    'portico.service': service,
  });
  return {
    start(method, headers) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      const span = tracer.startSpan(
        `${method}`,
        { kind: SpanKind.SERVER, attributes: { 'portico.service': service, 'http.request.method': method } },
        parent,
      );
      const ctx = span.spanContext();
      const parentSpan = trace.getSpanContext(parent);
      const flags = ctx.traceFlags.toString(16).padStart(2, '0');
      return {
        trace: {
          traceId: ctx.traceId,
          spanId: ctx.spanId,
          parentSpanId: parentSpan?.spanId ?? null,
          flags,
          traceparent: `00-${ctx.traceId}-${ctx.spanId}-${flags}`,
        },
        end(status, route) {
          if (route) {
            span.updateName(`${method} ${route}`);
            span.setAttribute('http.route', route);
          }
          span.setAttribute('http.response.status_code', status);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    producer(event) {
      return eventSpan(
        tracer.startSpan(
          `send ${event.type}`,
          { kind: SpanKind.PRODUCER, attributes: messaging(event, 'send') },
          parentOf(event.traceparent),
        ),
      );
    },
    consumer(event, consumer, attempt) {
      return eventSpan(
        tracer.startSpan(
          `process ${event.type}`,
          {
            kind: SpanKind.CONSUMER,
            attributes: {
              ...messaging(event, 'process'),
              'messaging.consumer.group.name': consumer,
              'portico.event.attempt': attempt,
              'portico.event.source': event.source,
            },
          },
          parentOf(event.traceparent),
        ),
      );
    },
    flush: () => provider.forceFlush(),
  };
}
