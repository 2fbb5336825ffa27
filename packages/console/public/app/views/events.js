// The live feed of domain events (admins: GET /api/v1/ops/events, server-sent events): every
// event any service publishes from the moment the view opens, newest first, with the fields of
// its data that hold secrets already redacted by the gateway. Kept in memory, last 200.
import { streamEvents } from '../api.js';
import { html, Section, Table, useEffect, useState, when } from '../ui.js';

const KEEP = 200;

export function Events() {
  const [events, setEvents] = useState([]);
  const [state, setState] = useState('connecting');
  const [filter, setFilter] = useState('');
  useEffect(
    () =>
      streamEvents(
        '/api/v1/ops/events',
        (type, e) => type !== 'end' && setEvents((all) => [e, ...all].slice(0, KEEP)),
        { onState: setState },
      ),
    [],
  );
  const shown = filter ? events.filter((e) => e.type.includes(filter) || e.source.includes(filter)) : events;
  return html`<${Section}
    title="Events"
    actions=${html`<span
      class=${`badge badge-${state === 'live' ? 'healthy' : 'pending'}`}
      data-testid="feed-state"
      >${state}</span
    >`}
  >
    <p class="muted small">
      Every domain event on the bus as it is published (nothing from before this page opened).
    </p>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label
        >Type or source
        <input placeholder="order." value=${filter} onInput=${(e) => setFilter(e.currentTarget.value)}
      /></label>
    </form>
    <${Table}
      testid="events"
      rows=${shown}
      empty="No events yet: they appear here as they happen."
      columns=${[
        { label: 'Time', value: (e) => when(e.time) },
        { label: 'Type', value: (e) => html`<code>${e.type}</code>` },
        { label: 'Source', value: (e) => e.source },
        { label: 'Subject', value: (e) => html`<span class="small">${e.subject ?? '—'}</span>` },
        { label: 'Data', value: (e) => html`<code class="small data">${JSON.stringify(e.data)}</code>` },
      ]}
    />
  </${Section}>`;
}
