/**
 * OpenTelemetry spans, only when an exporter is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, OTLP over HTTP/JSON). Without one, nothing is loaded and
 * requests carry W3C trace context from `request-context.ts` at no cost. With one, each request
 * is a SERVER span whose id is the one sent downstream in `traceparent`, so the gateway's,
 * the services' and the events' spans join one trace.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IncomingHttpHeaders } from 'node:http';
import type { TraceContext } from '../http/request-context.ts';

export interface RequestSpan {
  trace: TraceContext;
  end(status: number, route: string | undefined): void;
}

export interface RequestTracer {
  start(method: string, headers: IncomingHttpHeaders): RequestSpan;
  flush(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();
let provider: { getTracer(name: string): Tracer; forceFlush(): Promise<void> } | undefined;

/** The OTLP traces URL from the standard environment variables, or undefined. */
export function otlpTracesUrl(env: Record<string, string | undefined>): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT)
    return env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '') + '/v1/traces';
  return undefined;
}

export async function createRequestTracer(
  service: string,
  env: Record<string, string | undefined>,
): Promise<RequestTracer | undefined> {
  const url = otlpTracesUrl(env);
  if (!url) return undefined;
  if (!provider) {
    const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
      await Promise.all([
        import('@opentelemetry/sdk-trace-node'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/resources'),
      ]);
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'portico' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 })],
    });
  }
  const tracer = provider.getTracer('portico-kit');
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
    flush: () => provider!.forceFlush(),
  };
}
