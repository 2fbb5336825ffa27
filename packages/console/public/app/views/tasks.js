// The caller's tasks (created by or assigned to them; admins all) as a board by status.
import { api } from '../api.js';
import { useLoad } from '../data.js';
import { Badge, html, Problem, Section, useState, when } from '../ui.js';

const COLUMNS = [
  ['pending', 'To do'],
  ['in_progress', 'In progress'],
  ['completed', 'Done'],
];
const NEXT = {
  pending: ['start', 'Start'],
  in_progress: ['complete', 'Complete'],
  completed: ['reopen', 'Reopen'],
};

export function Tasks() {
  const { data, error, reload } = useLoad('/api/v1/tasks?limit=100');
  const [problem, setProblem] = useState(null);
  const act = async (task, verb) => {
    const r = await api(`/api/v1/tasks/${task.id}/${verb}`, { method: 'POST', body: {} });
    setProblem(r.ok ? null : r.body);
    reload();
  };
  const create = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const r = await api('/api/v1/tasks', {
      method: 'POST',
      body: { title: String(f.get('title')), priority: String(f.get('priority')) },
    });
    setProblem(r.ok ? null : r.body);
    if (r.ok) form.reset();
    reload();
  };
  const tasks = data?.data ?? [];
  return html`<${Section} title="Tasks">
    <form class="inline" onSubmit=${create}>
      <input name="title" placeholder="A new task" required maxlength="200" aria-label="Title" />
      <select name="priority" aria-label="Priority">
        ${['low', 'medium', 'high', 'urgent'].map((p) => html`<option value=${p} selected=${p === 'medium'}>${p}</option>`)}
      </select>
      <button type="submit">Add</button>
    </form>
    <${Problem} error=${error ?? problem} />
    <div class="board" data-testid="tasks">
      ${COLUMNS.map(
        ([status, label]) =>
          html`<div class="column">
            <h3>${label}</h3>
            ${tasks
              .filter((t) => t.status === status)
              .map(
                (t) =>
                  html`<article class="task">
                    <strong>${t.title}</strong>
                    <span
                      ><${Badge} value=${t.priority} />
                      ${t.due_at ? html`<span class="muted small">due ${when(t.due_at)}</span>` : null}</span
                    >
                    <button class="link" onClick=${() => act(t, NEXT[status][0])}>${NEXT[status][1]}</button>
                  </article>`,
              )}
          </div>`,
      )}
    </div>
  </${Section}>`;
}
