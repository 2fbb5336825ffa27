/**
 * Prometheus metrics kept by hand in typed arrays: the request path increments pre-resolved
 * series (one Map lookup at most), so metrics cannot dominate a proxied request. Rendered in
 * the text exposition format (version 0.0.4) at `/metrics`.
 */

/** Upper bounds (seconds) of every latency histogram; SLO latencies must be one of them. */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class HistogramSeries {
  readonly counts = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

export class Histogram {
  readonly name: string;
  readonly help: string;
  #series = new Map<string, { labels: string; s: HistogramSeries }>();
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  series(labels: Record<string, string>): HistogramSeries {
    const text = labelText(labels);
    let e = this.#series.get(text);
    if (!e) this.#series.set(text, (e = { labels: text, s: new HistogramSeries() }));
    return e.s;
  }
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const { labels, s } of this.#series.values()) {
      const base = labels ? labels.slice(1, -1) + ',' : '';
      let cum = 0;
      for (let i = 0; i < DURATION_BUCKETS.length; i++) {
        cum += s.counts[i]!;
        out.push(`${this.name}_bucket{${base}le="${DURATION_BUCKETS[i]}"} ${cum}`);
      }
      cum += s.counts[DURATION_BUCKETS.length]!;
      out.push(`${this.name}_bucket{${base}le="+Inf"} ${cum}`);
      out.push(`${this.name}_sum${labels} ${s.sum}`, `${this.name}_count${labels} ${s.count}`);
    }
  }
}

export class Counter {
  readonly name: string;
  readonly help: string;
  #values = new Map<string, number>();
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  inc(labels: Record<string, string>, by = 1): void {
    const text = labelText(labels);
    this.#values.set(text, (this.#values.get(text) ?? 0) + by);
  }
  /** A pre-resolved increment for a hot label set. */
  bind(labels: Record<string, string>): () => void {
    const text = labelText(labels);
    if (!this.#values.has(text)) this.#values.set(text, 0);
    return () => this.#values.set(text, this.#values.get(text)! + 1);
  }
  value(labels: Record<string, string>): number {
    return this.#values.get(labelText(labels)) ?? 0;
  }
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`);
    for (const [labels, v] of this.#values) out.push(`${this.name}${labels} ${v}`);
  }
}

export class Gauge {
  readonly name: string;
  readonly help: string;
  readonly collect: () => [Record<string, string>, number][];
  constructor(name: string, help: string, collect: () => [Record<string, string>, number][]) {
    this.name = name;
    this.help = help;
    this.collect = collect;
  }
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`);
    for (const [labels, v] of this.collect()) out.push(`${this.name}${labelText(labels)} ${v}`);
  }
}

/** Per-route request counters by method and status, each series resolved once. */
export class RouteStats {
  /** The `route` label: a route template (`/api/v1/tasks/{id}`). */
  readonly label: string;
  readonly duration: HistogramSeries;
  #byMethod = new Map<string, Map<number, () => void>>();
  #requests: Counter;
  #route: string;
  constructor(requests: Counter, duration: HistogramSeries, route: string) {
    this.#requests = requests;
    this.duration = duration;
    this.#route = route;
    this.label = route;
  }
  count(method: string, status: number): void {
    let byStatus = this.#byMethod.get(method);
    if (byStatus === undefined) this.#byMethod.set(method, (byStatus = new Map()));
    let inc = byStatus.get(status);
    if (inc === undefined) {
      inc = this.#requests.bind({ route: this.#route, method, status: String(status) });
      byStatus.set(status, inc);
    }
    inc();
  }
}

/** Distinct service route templates labelled before falling back to the gateway route's. */
const MAX_TEMPLATES = 2000;

export class GatewayMetrics {
  readonly requests = new Counter(
    'portico_gateway_requests_total',
    'Requests by route template, method and status.',
  );
  readonly duration = new Histogram(
    'portico_gateway_request_duration_seconds',
    'Time from request to response end, by route template.',
  );
  readonly upstreamDuration = new Histogram(
    'portico_gateway_upstream_duration_seconds',
    'Time from sending to an upstream to its response headers, by service.',
  );
  readonly added = new Histogram(
    'portico_gateway_added_latency_seconds',
    'Time the gateway adds to a proxied request (total minus upstream time to headers).',
  );
  readonly limiter = new Counter(
    'portico_gateway_ratelimit_decisions_total',
    'Rate-limit decisions by policy: allowed, limited, store_failed_open, store_failed_closed.',
  );
  readonly retries = new Counter(
    'portico_gateway_upstream_retries_total',
    'Retried upstream attempts by service.',
  );
  readonly upstreamErrors = new Counter(
    'portico_gateway_upstream_errors_total',
    'Upstream failures by service and kind (connect, timeout, reset, breaker_open).',
  );
  readonly denied = new Counter(
    'portico_gateway_access_denied_total',
    'Refused callers by status and reason.',
  );
  readonly idempotency = new Counter(
    'portico_gateway_idempotency_total',
    'Idempotency-Key outcomes: started, replayed, in_progress, mismatch, released, bypassed (store down).',
  );
  readonly reloads = new Counter('portico_gateway_config_reloads_total', 'Config reloads by result.');
  readonly addedSeries = this.added.series({});
  #gauges: Gauge[] = [];

  addGauge(g: Gauge): void {
    this.#gauges.push(g);
  }

  #routes = new Map<string, RouteStats>();
  /** Service route templates (`/api/v1/tasks/:id`) seen, by the answering service's spelling. */
  #templates = new Map<string, RouteStats>();

  /**
   * Stats under the template of the service route that answered (`:id` written `{id}`, as in
   * OpenAPI), or `fallback` (the gateway route's template) once too many distinct templates
   * were seen: a service cannot blow up the series count.
   */
  templateStats(template: string, fallback: RouteStats): RouteStats {
    let s = this.#templates.get(template);
    if (s === undefined) {
      if (this.#templates.size >= MAX_TEMPLATES) return fallback;
      s = this.routeStats(template.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
      this.#templates.set(template, s);
    }
    return s;
  }

  /** Stats of a route template; the same object across config reloads. */
  routeStats(route: string): RouteStats {
    let s = this.#routes.get(route);
    if (!s)
      this.#routes.set(route, (s = new RouteStats(this.requests, this.duration.series({ route }), route)));
    return s;
  }

  render(): string {
    const out: string[] = [];
    for (const m of [
      this.requests,
      this.duration,
      this.upstreamDuration,
      this.added,
      this.limiter,
      this.retries,
    ])
      m.render(out);
    for (const m of [this.upstreamErrors, this.denied, this.idempotency, this.reloads]) m.render(out);
    for (const g of this.#gauges) g.render(out);
    return out.join('\n') + '\n';
  }
}
