// The caller's notifications: the inbox as the API lists it, with those that arrived over the
// live stream since (the shell holds the stream) on top.
import { api } from '../api.js';
import { useLoad } from '../data.js';
import { html, Problem, Section, when } from '../ui.js';

export function Notifications({ live }) {
  const { data, error, reload } = useLoad('/api/v1/notifications?limit=50');
  const seen = new Set();
  const all = [...live, ...(data?.data ?? [])].filter((n) => !seen.has(n.id) && seen.add(n.id));
  const readAll = async () => {
    await api('/api/v1/notifications/read-all', { method: 'POST', body: {} });
    reload();
  };
  return html`<${Section} title="Notifications" actions=${html`<button class="link" onClick=${readAll}>Mark all read</button>`}>
    <${Problem} error=${error} />
    ${all.length === 0 && data ? html`<p class="muted">No notifications.</p>` : null}
    <ul class="notes" data-testid="notifications">
      ${all.map(
        (n) =>
          html`<li class=${n.read_at ? 'read' : 'unread'}>
            <strong>${n.title}</strong>
            <p>${n.body}</p>
            <span class="muted small">${when(n.created_at)}</span>
          </li>`,
      )}
    </ul>
  </${Section}>`;
}
