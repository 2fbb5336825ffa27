// Dead letters (admins: GET /api/v1/ops/dead-letters): events a service's consumer could not
// handle after its retries, from every service, newest first. Replay sends one through its
// consumer again (POST …/{service}/{id}/replay); the row shows what the API answered.
import { api, load } from '../api.js';
import { query, usePages } from '../data.js';
import { Badge, html, Problem, Section, Table, useEffect, useState, when } from '../ui.js';

export function DeadLetters() {
  const [status, setStatus] = useState('parked');
  const [outcome, setOutcome] = useState({});
  const { rows, setRows, page, error, next, more, reload } = usePages(
    (cursor) => `/api/v1/ops/dead-letters${query({ status, limit: 50, cursor })}`,
    [status],
  );
  useEffect(() => setOutcome({}), [status]);
  const unreachable = page?.unreachable ?? [];
  const replay = async (d) => {
    const key = `${d.service}/${d.id}`;
    setOutcome((o) => ({ ...o, [key]: { busy: true } }));
    const r = await api(
      `/api/v1/ops/dead-letters/${encodeURIComponent(d.service)}/${encodeURIComponent(d.id)}/replay`,
      { method: 'POST' },
    );
    if (r.ok) {
      // The letter is replayed: it stays in view, marked so, until the list is read again.
      setRows((all) =>
        all.map((x) => (x === d ? { ...x, status: 'replayed', replayed_at: new Date().toISOString() } : x)),
      );
      setOutcome((o) => ({ ...o, [key]: null }));
      return;
    }
    setOutcome((o) => ({ ...o, [key]: { problem: r.body } }));
    // Failed again: read the letter's new error and attempt count.
    if (r.status === 409) {
      const listed = await load(
        `/api/v1/ops/dead-letters${query({ status: 'all', service: d.service, limit: 100 })}`,
      );
      const fresh = listed.data.find((x) => x.id === d.id);
      if (fresh) setRows((all) => all.map((x) => (x === d ? fresh : x)));
    }
  };
  return html`<${Section}
    title="Dead letters"
    actions=${html`<button class="link" onClick=${reload}>Refresh</button>`}
  >
    <p class="muted small">
      Events a service's consumer failed to handle after its retries. Fix the cause, then replay:
      the service runs the event through the same consumer again.
    </p>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label
        >Status
        <select value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
          <option value="parked">parked</option>
          <option value="replayed">replayed</option>
          <option value="all">all</option>
        </select></label
      >
    </form>
    <${Problem} error=${error} />
    ${
      unreachable.length
        ? html`<p class="problem" role="status">Not answering: ${unreachable.join(', ')}</p>`
        : null
    }
    <${Table}
      testid="dead-letters"
      rows=${rows}
      empty="No dead letters."
      columns=${[
        { label: 'Parked', value: (d) => when(d.created_at) },
        { label: 'Service', value: (d) => d.service },
        {
          label: 'Event',
          value: (d) =>
            html`<code>${d.event_type}</code>${
                d.event_subject ? html`<br /><span class="muted small">${d.event_subject}</span>` : null
              }`,
        },
        { label: 'Consumer', value: (d) => d.consumer },
        { label: 'Error', value: (d) => html`<span class="small">${d.error}</span>` },
        { label: 'Attempts', value: (d) => d.attempts },
        { label: 'Status', value: (d) => html`<${Badge} value=${d.status} />` },
        {
          label: 'Action',
          value: (d) => {
            const o = outcome[`${d.service}/${d.id}`];
            if (d.status !== 'parked') return html`<span class="muted small">${when(d.replayed_at)}</span>`;
            return html`<button
                disabled=${o?.busy === true}
                aria-label=${`Replay ${d.event_type} ${d.id}`}
                onClick=${() => replay(d)}
              >
                ${o?.busy ? 'Replaying…' : 'Replay'}</button
              ><${Problem} error=${o?.problem} />`;
          },
        },
      ]}
    />
    ${next ? html`<button onClick=${more}>More</button>` : null}
  </${Section}>`;
}
