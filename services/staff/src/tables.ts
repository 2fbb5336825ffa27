/**
 * The service's tables as Kysely sees them (see migrations/). Calendar-day columns are typed
 * as text: the repository always reads them with `to_char(…, 'YYYY-MM-DD')`.
 */
import type { ColumnType, Generated } from 'kysely';
import type { AbsenceStatus, AbsenceType } from './domain/absence.ts';

export type RecordStatus = 'active' | 'inactive';
type Updated = ColumnType<Date, Date | undefined, Date>;
type CalendarDay = ColumnType<string, string, string>;

export interface DepartmentsTable {
  id: string;
  name: string;
  description: string | null;
  head_staff_id: string | null;
  status: Generated<RecordStatus>;
  created_at: Generated<Date>;
  updated_at: Updated;
}

export interface StaffTable {
  id: string;
  employee_number: string;
  email: string;
  full_name: string;
  position: string;
  department_id: string;
  hire_date: CalendarDay;
  user_id: string | null;
  status: Generated<RecordStatus>;
  created_at: Generated<Date>;
  updated_at: Updated;
}

export interface SalariesTable {
  id: string;
  staff_id: string;
  amount: number;
  currency: string;
  effective_date: CalendarDay;
  recorded_by: string | null;
  created_at: Generated<Date>;
}

export interface AbsencesTable {
  id: string;
  staff_id: string;
  start_date: CalendarDay;
  end_date: CalendarDay;
  type: AbsenceType;
  reason: string;
  status: Generated<AbsenceStatus>;
  requested_by: string | null;
  decided_by: string | null;
  decided_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  decision_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Updated;
}

export interface StaffDatabase {
  departments: DepartmentsTable;
  staff: StaffTable;
  salaries: SalariesTable;
  absences: AbsencesTable;
}

export interface DepartmentRow {
  id: string;
  name: string;
  description: string | null;
  head_staff_id: string | null;
  status: RecordStatus;
  created_at: Date;
  updated_at: Date;
}

export interface StaffRow {
  id: string;
  employee_number: string;
  email: string;
  full_name: string;
  position: string;
  department_id: string;
  hire_date: string;
  user_id: string | null;
  status: RecordStatus;
  created_at: Date;
  updated_at: Date;
}

export interface SalaryRow {
  id: string;
  staff_id: string;
  amount: number;
  currency: string;
  effective_date: string;
  recorded_by: string | null;
  created_at: Date;
}

export interface AbsenceRow {
  id: string;
  staff_id: string;
  start_date: string;
  end_date: string;
  type: AbsenceType;
  reason: string;
  status: AbsenceStatus;
  requested_by: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  created_at: Date;
  updated_at: Date;
}
