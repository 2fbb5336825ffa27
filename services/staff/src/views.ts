/** Rows to their public shapes: snake_case, RFC 3339 times, 'YYYY-MM-DD' days, links. */
import { daysCovered } from './domain/absence.ts';
import type { AbsenceRow, DepartmentRow, SalaryRow, StaffRow } from './tables.ts';

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export function toDepartment(d: DepartmentRow) {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    head_staff_id: d.head_staff_id,
    status: d.status,
    created_at: iso(d.created_at),
    updated_at: iso(d.updated_at),
    links: { self: `/api/v1/departments/${d.id}`, staff: `/api/v1/staff?department_id=${d.id}` },
  };
}

export function toSalary(s: SalaryRow) {
  return {
    id: s.id,
    staff_id: s.staff_id,
    amount: s.amount,
    currency: s.currency,
    effective_date: s.effective_date,
    recorded_by: s.recorded_by,
    created_at: iso(s.created_at),
  };
}

/**
 * A staff member. `current_salary` is present only for callers who may see salaries (an
 * admin, or the person themselves): `null` then means "no salary in effect yet".
 */
export function toStaff(s: StaffRow, salary?: SalaryRow | null) {
  const base = {
    id: s.id,
    employee_number: s.employee_number,
    email: s.email,
    full_name: s.full_name,
    position: s.position,
    department_id: s.department_id,
    hire_date: s.hire_date,
    user_id: s.user_id,
    status: s.status,
    created_at: iso(s.created_at),
    updated_at: iso(s.updated_at),
    links: {
      self: `/api/v1/staff/${s.id}`,
      department: `/api/v1/departments/${s.department_id}`,
      salaries: `/api/v1/staff/${s.id}/salaries`,
      absences: `/api/v1/staff/${s.id}/absences`,
    },
  };
  if (salary === undefined) return base;
  return {
    ...base,
    current_salary:
      salary === null
        ? null
        : {
            salary_id: salary.id,
            amount: salary.amount,
            currency: salary.currency,
            effective_date: salary.effective_date,
          },
  };
}

export function toAbsence(a: AbsenceRow) {
  return {
    id: a.id,
    staff_id: a.staff_id,
    start_date: a.start_date,
    end_date: a.end_date,
    days: daysCovered(a),
    type: a.type,
    reason: a.reason,
    status: a.status,
    requested_by: a.requested_by,
    decided_by: a.decided_by,
    decided_at: a.decided_at === null ? null : iso(a.decided_at),
    decision_reason: a.decision_reason,
    created_at: iso(a.created_at),
    updated_at: iso(a.updated_at),
    links: {
      self: `/api/v1/staff/${a.staff_id}/absences/${a.id}`,
      staff: `/api/v1/staff/${a.staff_id}`,
    },
  };
}
