// For operators: every service's health (and each gateway worker's, with `workers: N`) and each
// instance's breaker, traffic per route from the gateway's own metrics, and every route of the
// OpenAPI document with the policies it declares.
import { useLoad } from '../data.js';
import { routeStats, sample, sloStatus, SAMPLE_INTERVAL_MS } from '../metrics.js';
import { Badge, html, Problem, Section, Table, useEffect, useState } from '../ui.js';

/** A rate series as an SVG line (attributes only: the page's policy allows no inline style). */
function Sparkline({ values, label }) {
  const w = 120;
  const h = 28;
  const max = Math.max(...values, 0.001);
  const points = values.map(
    (v, i) =>
      `${((i / Math.max(values.length - 1, 1)) * w).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`,
  );
  return html`<svg
    class="spark"
    viewBox=${`0 0 ${w} ${h}`}
    width=${w}
    height=${h}
    role="img"
    aria-label=${label}
  >
    <polyline fill="none" stroke="currentColor" stroke-width="1.5" points=${points.join(' ')} />
  </svg>`;
}

const ms = (s) => (s === null ? '—' : s === Infinity ? '> max' : `${Math.round(s * 1000)} ms`);

const pct = (x, digits = 2) => (x === null ? '—' : `${(x * 100).toFixed(digits)} %`);

/** `console.slos` from portico.yaml, measured on the same samples as the traffic table. */
function Objectives({ slos, tick }) {
  if (!slos?.length) return null;
  const rows = sloStatus(slos);
  return html`<h3>Service-level objectives</h3>
    <${Table}
      testid="slos"
      rows=${rows}
      columns=${[
        {
          label: 'Objective',
          value: (o) =>
            `${o.name} (${o.objective} %${o.latency_seconds !== null ? ` ≤ ${o.latency_seconds * 1000} ms` : ' not 5xx'})`,
        },
        { label: 'Route', value: (o) => o.route },
        { label: 'Requests', value: (o) => o.requests },
        { label: 'Good', value: (o) => pct(o.compliance, 3) },
        {
          label: 'Budget left',
          value: (o) =>
            html`<${Badge} value=${o.budgetLeft < 0 ? 'exhausted' : o.budgetLeft < 0.25 ? 'low' : 'ok'} />
              ${pct(o.budgetLeft, 1)}`,
        },
        { label: 'Burn rate', value: (o) => (o.burn === null ? '—' : `${o.burn.toFixed(2)}×`) },
      ]}
      key=${tick}
    />`;
}

function Traffic() {
  const slos = useLoad('/console/slos.json');
  const [stats, setStats] = useState(null);
  const [reachable, setReachable] = useState(true);
  useEffect(() => {
    let timer;
    const tick = async () => {
      const ok = await sample().catch(() => false);
      setReachable(ok);
      setStats(routeStats());
      if (ok) timer = setTimeout(tick, SAMPLE_INTERVAL_MS);
    };
    void tick();
    return () => clearTimeout(timer);
  }, []);
  if (!reachable)
    return html`<${Section} title="Traffic"><p class="muted">The gateway's /metrics is not open to this browser (loopback only unless metrics.public or a token; docs/console.md).</p></${Section}>`;
  return html`<div class="wide"><${Section} title="Traffic per route" actions=${html`<span class="muted small">${stats?.minutes ? `last ${stats.minutes.toFixed(1)} min` : 'collecting…'}</span>`}>
    <${Table}
      testid="traffic"
      rows=${stats?.routes.filter((r) => r.total > 0)}
      columns=${[
        { label: 'Route', value: (r) => r.name },
        { label: 'Requests', value: (r) => r.total },
        {
          label: 'Rate (req/s)',
          value: (r) =>
            html`<${Sparkline} values=${r.rate} label=${`request rate of ${r.name}`} />
              ${(r.rate.at(-1) ?? 0).toFixed(2)}`,
        },
        { label: 'Errors', value: (r) => `${(r.errorRatio * 100).toFixed(1)} %` },
        { label: 'p50', value: (r) => ms(r.p50) },
        { label: 'p99', value: (r) => ms(r.p99) },
      ]}
    />
    <${Objectives} slos=${slos.data?.slos} tick=${stats?.minutes} />
    <h3>Instances</h3>
    <${Table}
      testid="instances"
      rows=${stats?.instances}
      columns=${[
        { label: 'Service', value: (i) => i.service },
        { label: 'Instance', value: (i) => i.instance },
        {
          label: 'Health check',
          value: (i) => html`<${Badge} value=${i.healthy ? 'healthy' : 'unhealthy'} />`,
        },
        { label: 'Breaker', value: (i) => html`<${Badge} value=${i.breaker ?? '—'} />` },
      ]}
    />
  </${Section}></div>`;
}

/** Every operation of /openapi.json with what the gateway declares for it. */
function Routes() {
  const { data, error } = useLoad('/openapi.json');
  const [q, setQ] = useState('');
  const [all, setAll] = useState(false);
  const ops = [];
  for (const [path, item] of Object.entries(data?.paths ?? {}))
    for (const [method, op] of Object.entries(item))
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
        ops.push({ path, method: method.toUpperCase(), op });
  const matching = ops.filter((o) => !q || o.path.includes(q));
  const shown = all ? matching : matching.slice(0, 15);
  return html`<div class="wide"><${Section} title="Routes and policies" actions=${html`<span class="muted small">${matching.length} operations</span>`}>
    <input class="search" type="search" placeholder="Filter by path" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
    <${Problem} error=${error} />
    <${Table}
      testid="routes"
      rows=${data ? shown : null}
      columns=${[
        { label: 'Route', value: (o) => html`<code>${o.method} ${o.path}</code>` },
        { label: 'Auth', value: (o) => (o.op.security?.length === 0 ? 'none' : 'bearer or API key') },
        { label: 'Permission', value: (o) => o.op['x-portico-permission'] ?? '—' },
        {
          label: 'Rate limits',
          value: (o) =>
            (o.op['x-portico-rate-limits'] ?? [])
              .map((l) => l.name ?? l.policy ?? JSON.stringify(l))
              .join(', ') || '—',
        },
        {
          label: 'Key scopes',
          value: (o) => [].concat(o.op['x-portico-api-key-scopes'] ?? []).join(', ') || '—',
        },
        { label: '', value: (o) => (o.op.deprecated ? html`<${Badge} value="deprecated" />` : '') },
      ]}
    />
    ${
      matching.length > shown.length
        ? html`<button class="link" onClick=${() => setAll(true)}>Show all ${matching.length}</button>`
        : null
    }
  </${Section}></div>`;
}

function workerLabel(w) {
  const restarts = w.restarts ? ` · ${w.restarts} restart${w.restarts > 1 ? 's' : ''}` : '';
  return `worker ${w.id}${restarts}`;
}

export function Operations() {
  const health = useLoad('/health');
  useEffect(() => {
    const t = setInterval(health.reload, 10_000);
    return () => clearInterval(t);
  }, []);
  const services = Object.entries(health.data?.services ?? {}).map(([name, status]) => ({ name, status }));
  return html`<div class="grid">
    <${Section} title="Health" actions=${health.data ? html`<${Badge} value=${health.data.status} />` : null}>
      <${Problem} error=${health.error} />
      <ul class="health" data-testid="health">
        ${services.map((s) => html`<li><span>${s.name}</span><${Badge} value=${s.status} /></li>`)}
      </ul>
      ${
        health.data?.workers
          ? html`<h3>Gateway workers</h3>
              <ul class="health" data-testid="gateway-workers">
                ${health.data.workers.map(
                  (w) => html`<li><span>${workerLabel(w)}</span><${Badge} value=${w.state} /></li>`,
                )}
              </ul>`
          : null
      }
    </${Section}>
    <${Traffic} />
    <${Routes} />
  </div>`;
}
