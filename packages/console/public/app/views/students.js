// A student's record as the API lets the caller see it: the student their own; admins, staff
// and instructors anyone's. Another student's id answers 404 and the page then shows nothing.
import { load } from '../api.js';
import { useLoad, query } from '../data.js';
import { go } from '../router.js';
import { Badge, html, money, Problem, Section, Table, useEffect, useState, when } from '../ui.js';

/** `#/me`: the caller's own record, found by GET /api/v1/students/me. */
export function StudentHome() {
  const [error, setError] = useState(null);
  useEffect(() => {
    load('/api/v1/students/me').then(
      (s) => go('students', s.id),
      (e) => setError(e.problem ?? { title: e.message }),
    );
  }, []);
  return error
    ? html`<${Section} title="My studies"><${Problem} error=${error} /></${Section}>`
    : html`<p class="muted">Loading…</p>`;
}

export function StudentList() {
  const [q, setQ] = useState('');
  const { data, error } = useLoad(`/api/v1/students${query({ q, limit: 100, sort: 'full_name' })}`);
  return html`<${Section} title="Students">
    <input class="search" type="search" placeholder="Search by name, email or number" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
    <${Problem} error=${error} />
    <${Table}
      testid="students"
      rows=${data?.data}
      columns=${[
        { label: 'Number', value: (s) => s.student_number },
        { label: 'Name', value: (s) => html`<a href=${`#/students/${s.id}`}>${s.full_name}</a>` },
        { label: 'Email', value: (s) => s.email },
        { label: 'Status', value: (s) => html`<${Badge} value=${s.status} />` },
      ]}
    />
  </${Section}>`;
}

function Finance({ id }) {
  const account = useLoad(`/api/v1/students/${encodeURIComponent(id)}/account`);
  const invoices = useLoad(`/api/v1/invoices${query({ student_id: id, limit: 100 })}`);
  return html`<${Section} title="Fees">
    ${
      account.data
        ? html`<p class="figure" data-testid="balance">
            Balance <strong>${money(account.data.balance, account.data.currency)}</strong>
          </p>`
        : html`<${Problem} error=${account.error} />`
    }
    <${Problem} error=${invoices.error} />
    <${Table}
      testid="invoices"
      rows=${invoices.data?.data.filter((i) => i.student_id === id)}
      empty="No invoices."
      columns=${[
        { label: 'Invoice', value: (i) => i.number },
        { label: 'Status', value: (i) => html`<${Badge} value=${i.status} />` },
        { label: 'Total', value: (i) => money(i.total, i.currency) },
        { label: 'Due', value: (i) => money(i.balance_due, i.currency) },
        { label: 'Due date', value: (i) => i.due_date },
      ]}
    />
  </${Section}>`;
}

export function StudentProfile({ id }) {
  const { data, error, status } = useLoad(`/api/v1/students/${encodeURIComponent(id)}/profile`);
  if (error)
    return html`<${Section} title="Student">
      <p data-testid="no-student">${status === 404 ? 'There is no student record here that you may see.' : ''}</p>
      <${Problem} error=${error} />
    </${Section}>`;
  if (!data) return html`<p class="muted">Loading…</p>`;
  const s = data.student;
  return html`<div class="grid">
    <${Section} title=${s.full_name}>
      <dl class="facts" data-testid="student">
        <dt>Number</dt><dd>${s.student_number}</dd>
        <dt>Email</dt><dd>${s.email}</dd>
        <dt>Status</dt><dd><${Badge} value=${s.status} /></dd>
        <dt>GPA</dt><dd data-testid="gpa"><strong>${Number(data.gpa).toFixed(2)}</strong> over ${data.graded_credits} graded credits</dd>
      </dl>
    </${Section}>
    <${Section} title="Courses and grades">
      <${Table}
        testid="enrollments"
        rows=${data.enrollments}
        empty="Not enrolled in any course."
        columns=${[
          { label: 'Course', value: (e) => `${e.course_code} · ${e.course_title}` },
          { label: 'Credits', value: (e) => e.credits },
          { label: 'Status', value: (e) => html`<${Badge} value=${e.status} />` },
          {
            label: 'Grade',
            value: (e) => {
              const g = data.grades.find((x) => x.enrollment_id === e.enrollment_id);
              return g ? `${g.grade} (${g.score} %)` : '—';
            },
          },
        ]}
      />
    </${Section}>
    ${
      data.competencies?.length
        ? html`<${Section} title="Competencies">
          <${Table}
            rows=${data.competencies}
            columns=${[
              { label: 'Competency', value: (c) => c.competency_code },
              { label: 'Progress', value: (c) => html`<${Badge} value=${c.status} />` },
              { label: 'Level', value: (c) => `${c.proficiency_level} / 4` },
              { label: 'Assessed', value: (c) => when(c.recorded_at) },
            ]}
          />
        </${Section}>`
        : null
    }
    <${Finance} id=${s.id} />
  </div>`;
}
