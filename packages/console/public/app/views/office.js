// For the school office (staff and admins): the finance summary and invoices, and the absences
// waiting for a decision (GET /api/v1/absences?status=pending lists what the caller may decide).
import { api } from '../api.js';
import { useLoad, query } from '../data.js';
import { Badge, html, money, Problem, Section, Table, useState } from '../ui.js';

export function Finance() {
  const summary = useLoad('/api/v1/finance/summary');
  const [status, setStatus] = useState('');
  const invoices = useLoad(`/api/v1/invoices${query({ status, limit: 100 })}`);
  const rows = Array.isArray(summary.data)
    ? summary.data
    : (summary.data?.data ?? summary.data?.currencies ?? []);
  return html`<div class="grid">
    <${Section} title="Finance summary">
      <${Problem} error=${summary.error} />
      <${Table}
        testid="finance-summary"
        rows=${summary.data ? rows : null}
        columns=${[
          { label: 'Currency', value: (s) => s.currency },
          { label: 'Invoiced', value: (s) => money(s.invoiced, s.currency) },
          { label: 'Paid', value: (s) => money(s.paid, s.currency) },
          { label: 'Outstanding', value: (s) => money(s.outstanding, s.currency) },
          { label: 'Overdue', value: (s) => money(s.overdue, s.currency) },
        ]}
      />
    </${Section}>
    <${Section}
      title="Invoices"
      actions=${html`<select
        aria-label="Status"
        value=${status}
        onChange=${(e) => setStatus(e.currentTarget.value)}
      >
        ${['', 'issued', 'partially_paid', 'paid', 'overdue', 'void'].map((s) => html`<option value=${s}>${s || 'any status'}</option>`)}
      </select>`}
    >
      <${Problem} error=${invoices.error} />
      <${Table}
        testid="office-invoices"
        rows=${invoices.data?.data}
        columns=${[
          { label: 'Invoice', value: (i) => i.number },
          { label: 'Student', value: (i) => html`<a href=${`#/students/${i.student_id}`}>record</a>` },
          { label: 'Status', value: (i) => html`<${Badge} value=${i.status} />` },
          { label: 'Total', value: (i) => money(i.total, i.currency) },
          { label: 'Due', value: (i) => money(i.balance_due, i.currency) },
        ]}
      />
    </${Section}>
  </div>`;
}

export function Absences() {
  const { data, error, reload } = useLoad('/api/v1/absences?status=pending&limit=100');
  const staff = useLoad('/api/v1/staff?limit=100');
  const names = new Map((staff.data?.data ?? []).map((s) => [s.id, s.full_name]));
  const [problem, setProblem] = useState(null);
  const decide = async (a, verb) => {
    const r = await api(`/api/v1/staff/${a.staff_id}/absences/${a.id}/${verb}`, { method: 'POST', body: {} });
    setProblem(r.ok ? null : r.body);
    reload();
  };
  return html`<${Section} title="Absences to decide">
    <${Problem} error=${error ?? problem} />
    <${Table}
      testid="absences"
      rows=${data?.data}
      empty="Nothing waits for a decision."
      columns=${[
        { label: 'Staff', value: (a) => names.get(a.staff_id) ?? a.staff_id },
        { label: 'From', value: (a) => a.start_date },
        { label: 'To', value: (a) => a.end_date },
        { label: 'Days', value: (a) => a.days },
        { label: 'Reason', value: (a) => a.reason },
        {
          label: '',
          value: (a) =>
            html`<div class="actions">
              <button onClick=${() => decide(a, 'approve')}>Approve</button>
              <button class="danger" onClick=${() => decide(a, 'reject')}>Reject</button>
            </div>`,
        },
      ]}
    />
  </${Section}>`;
}
