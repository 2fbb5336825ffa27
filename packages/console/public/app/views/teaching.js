// An instructor's courses (those curriculum lists with them as instructor), each roster, and
// grade entry (PUT /api/v1/enrollments/{id}/grade: the course's instructor, staff or admins).
import { api, load } from '../api.js';
import { useLoad, query } from '../data.js';
import { Badge, html, Problem, Section, Table, useEffect, useState } from '../ui.js';

function GradeInput({ enrolment, onSaved }) {
  const [error, setError] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    const score = Number(new FormData(e.currentTarget).get('score'));
    // The grade route requires If-Match: the enrolment as it is now, so a grade entered meanwhile
    // by someone else is not overwritten unseen (412 then).
    const current = await api(`/api/v1/enrollments/${enrolment.id}`);
    const r = current.ok
      ? await api(`/api/v1/enrollments/${enrolment.id}/grade`, {
          method: 'PUT',
          body: { score },
          ifMatch: current.etag,
        })
      : current;
    setError(r.ok ? null : r.body);
    if (r.ok) onSaved();
  };
  return html`<form class="inline" onSubmit=${save}>
    <input
      name="score"
      type="number"
      min="0"
      max="100"
      step="0.5"
      required
      aria-label="Score (%)"
      value=${enrolment.grade?.score ?? ''}
    />
    <button type="submit">Save</button>
    <${Problem} error=${error} />
  </form>`;
}

function Roster({ course, names }) {
  const { data, error, reload } = useLoad(
    `/api/v1/enrollments${query({ course_id: course.id, limit: 100 })}`,
  );
  return html`<${Section} title=${`${course.code} · ${course.title}`} actions=${html`<${Badge} value=${course.status} />`}>
    <${Problem} error=${error} />
    <${Table}
      testid=${`roster-${course.code}`}
      rows=${data?.data}
      empty="No one is enrolled yet."
      columns=${[
        { label: 'Student', value: (e) => names.get(e.student_id) ?? e.student_id },
        { label: 'Status', value: (e) => html`<${Badge} value=${e.status} />` },
        { label: 'Grade', value: (e) => (e.grade ? `${e.grade.grade} (${e.grade.score} %)` : '—') },
        {
          label: 'Enter',
          value: (e) =>
            e.status === 'active' ? html`<${GradeInput} enrolment=${e} onSaved=${reload} />` : null,
        },
      ]}
    />
  </${Section}>`;
}

export function Teaching() {
  const [courses, setCourses] = useState(null);
  const [error, setError] = useState(null);
  const students = useLoad('/api/v1/students?limit=100&sort=full_name');
  useEffect(() => {
    load('/api/v1/staff/me')
      .then((me) => load(`/api/v1/courses${query({ instructor_id: me.id, limit: 100 })}`))
      .then(
        (page) => setCourses(page.data),
        (e) => setError(e.problem ?? { title: e.message }),
      );
  }, []);
  const names = new Map(
    (students.data?.data ?? []).map((s) => [s.id, `${s.full_name} (${s.student_number})`]),
  );
  if (error) return html`<${Section} title="Teaching"><${Problem} error=${error} /></${Section}>`;
  if (!courses) return html`<p class="muted">Loading…</p>`;
  if (courses.length === 0)
    return html`<${Section} title="Teaching"><p class="muted">You teach no course.</p></${Section}>`;
  return html`<div class="grid">${courses.map((c) => html`<${Roster} course=${c} names=${names} />`)}</div>`;
}
