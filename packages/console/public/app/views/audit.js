// The audit log (admins: GET /api/v1/audit-logs), filtered by actor, action, outcome and time.
import { query, usePages } from '../data.js';
import { Badge, html, Problem, Section, Table, useState, when } from '../ui.js';

export function Audit() {
  const [filters, setFilters] = useState({});
  const { rows, error, next, more } = usePages(
    (cursor) => `/api/v1/audit-logs${query({ ...filters, limit: 50, cursor })}`,
    [filters],
  );
  const submit = (e) => {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(e.currentTarget));
    for (const k of ['from', 'to']) if (f[k]) f[k] = new Date(String(f[k])).toISOString();
    setFilters(f);
  };
  return html`<${Section} title="Audit log">
    <form class="filters" onSubmit=${submit} data-testid="audit-filters">
      <label>Action <input name="action" placeholder="login" /></label>
      <label>Actor id <input name="actor_id" /></label>
      <label>Outcome <select name="outcome"><option value="">any</option><option>success</option><option>failure</option><option>denied</option></select></label>
      <label>From <input name="from" type="datetime-local" /></label>
      <label>To <input name="to" type="datetime-local" /></label>
      <button type="submit">Filter</button>
    </form>
    <${Problem} error=${error} />
    <${Table}
      testid="audit"
      rows=${rows}
      columns=${[
        { label: 'Time', value: (a) => when(a.time) },
        { label: 'Action', value: (a) => a.action },
        { label: 'Outcome', value: (a) => html`<${Badge} value=${a.outcome} />` },
        { label: 'Actor', value: (a) => a.actor_id ?? '—' },
        { label: 'Target', value: (a) => a.target ?? '—' },
        { label: 'IP', value: (a) => a.ip ?? '—' },
      ]}
    />
    ${next ? html`<button onClick=${more}>More</button>` : null}
  </${Section}>`;
}
