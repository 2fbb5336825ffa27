// The gateway's own Prometheus metrics (GET /metrics), read by the browser every few seconds and
// turned into rates and quantiles per route. Samples stay in memory while the page is open, so
// the charts cover the last minutes without any Prometheus server.
const SAMPLE_MS = 5000;
const KEEP = 60; // 5 minutes of samples
const samples = [];

/** `name{label="v",…} value` lines → [{name, labels, value}] (the Prometheus text format). */
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

function summarise(rows) {
  const routes = {};
  const route = (name) => (routes[name] ??= { count: 0, errors: 0, buckets: {} });
  const instances = [];
  for (const r of rows) {
    if (r.name === 'portico_gateway_requests_total') {
      const x = route(r.labels.route);
      x.count += r.value;
      if (Number(r.labels.status) >= 500) x.errors += r.value;
    } else if (r.name === 'portico_gateway_request_duration_seconds_bucket') {
      const b = route(r.labels.route).buckets;
      b[r.labels.le] = (b[r.labels.le] ?? 0) + r.value;
    } else if (r.name === 'portico_gateway_breaker_state' || r.name === 'portico_gateway_instance_healthy') {
      let i = instances.find((x) => x.instance === r.labels.instance && x.service === r.labels.service);
      if (!i) instances.push((i = { service: r.labels.service, instance: r.labels.instance }));
      if (r.name === 'portico_gateway_breaker_state')
        i.breaker = ['closed', 'half-open', 'open'][r.value] ?? String(r.value);
      else i.healthy = r.value === 1;
    }
  }
  return { routes, instances };
}

/** The latency under which `q` of the requests between two cumulative histograms fell (upper bucket bound). */
function quantile(first, last, q) {
  const bounds = Object.keys(last)
    .filter((le) => le !== '+Inf')
    .map(Number)
    .sort((a, b) => a - b);
  const total = (last['+Inf'] ?? 0) - (first?.['+Inf'] ?? 0);
  if (total <= 0) return null;
  for (const le of bounds) {
    const key = Object.keys(last).find((k) => Number(k) === le);
    if ((last[key] ?? 0) - (first?.[key] ?? 0) >= q * total) return le;
  }
  return Infinity;
}

/** Takes a sample; resolves false when this browser may not read /metrics (not loopback, no token). */
export async function sample() {
  const res = await fetch('/metrics', { headers: { accept: 'text/plain' } });
  if (!res.ok) return false;
  samples.push({ at: Date.now(), ...summarise(parseMetrics(await res.text())) });
  if (samples.length > KEEP) samples.shift();
  return true;
}

/** Per route over the samples kept: series of request and error rates per second, p50 and p99. */
export function routeStats() {
  if (samples.length === 0) return { routes: [], instances: [] };
  const first = samples[0];
  const last = samples[samples.length - 1];
  const names = Object.keys(last.routes);
  const routes = names.map((name) => {
    const rate = [];
    const errors = [];
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1].routes[name];
      const b = samples[i].routes[name];
      const secs = (samples[i].at - samples[i - 1].at) / 1000;
      rate.push(b && secs > 0 ? (b.count - (a?.count ?? 0)) / secs : 0);
      errors.push(b && secs > 0 ? (b.errors - (a?.errors ?? 0)) / secs : 0);
    }
    const r = last.routes[name];
    const window = r.count - (first.routes[name]?.count ?? 0);
    const errorsInWindow = r.errors - (first.routes[name]?.errors ?? 0);
    return {
      name,
      total: r.count,
      rate,
      errors,
      errorRatio: window > 0 ? errorsInWindow / window : 0,
      p50: quantile(samples.length > 1 ? first.routes[name]?.buckets : undefined, r.buckets, 0.5),
      p99: quantile(samples.length > 1 ? first.routes[name]?.buckets : undefined, r.buckets, 0.99),
    };
  });
  routes.sort((a, b) => b.total - a.total);
  return { routes, instances: last.instances, minutes: (last.at - first.at) / 60000 };
}

/**
 * Whether a metrics `route` label (a template, `/api/v1/orders/{id}`) is under an objective's
 * route: the same template, or any template under a prefix route's (`/api/v1/orders/*`).
 */
export function covers(sloRoute, label) {
  if (label === sloRoute) return true;
  if (!sloRoute.endsWith('/*')) return false;
  const base = sloRoute.slice(0, -2);
  return label === base || label.startsWith(`${base}/`);
}

/** Good and total requests of `slo` in the cumulative counters of its routes (a 5xx or a slower answer is bad). */
function goodOf(slo, routes) {
  let good = 0;
  let total = 0;
  for (const [label, r] of Object.entries(routes)) {
    if (!covers(slo.route, label)) continue;
    if (slo.latency_seconds === null) {
      good += r.count - r.errors;
      total += r.count;
    } else {
      const key = Object.keys(r.buckets).find((le) => Number(le) === slo.latency_seconds);
      good += r.buckets[key] ?? 0;
      total += r.buckets['+Inf'] ?? 0;
    }
  }
  return { good, total };
}

/**
 * Each objective's state: the share of good requests since the gateway started, how much of the
 * error budget (100 % − objective) that leaves, and the burn rate over the samples kept (1 = the
 * budget would last exactly the objective's period; above 1 it runs out early).
 */
export function sloStatus(slos) {
  if (samples.length === 0) return [];
  const first = samples[0];
  const last = samples[samples.length - 1];
  return slos.map((slo) => {
    const budget = 1 - slo.objective / 100;
    const now = goodOf(slo, last.routes);
    const then = samples.length > 1 ? goodOf(slo, first.routes) : { good: 0, total: 0 };
    const badShare = now.total ? (now.total - now.good) / now.total : 0;
    const windowTotal = now.total - then.total;
    const windowBad = windowTotal - (now.good - then.good);
    return {
      ...slo,
      requests: now.total,
      compliance: now.total ? now.good / now.total : null,
      budgetLeft: 1 - badShare / budget,
      burn: windowTotal > 0 ? windowBad / windowTotal / budget : null,
    };
  });
}

export const SAMPLE_INTERVAL_MS = SAMPLE_MS;
