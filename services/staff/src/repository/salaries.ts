/** SQL for salary history: append-only, newest effective date first. */
import type { Db } from '../deps.ts';
import type { SalaryRow } from '../tables.ts';
import { day } from './dates.ts';

export interface SalaryValues {
  id: string;
  staff_id: string;
  amount: number;
  currency: string;
  effective_date: string;
  recorded_by: string | null;
}

const COLUMNS = [
  'salaries.id',
  'salaries.staff_id',
  'salaries.amount',
  'salaries.currency',
  'salaries.recorded_by',
  'salaries.created_at',
] as const;

function salarySelect(db: Db) {
  return db.selectFrom('salaries').select(COLUMNS).select(day('salaries.effective_date', 'effective_date'));
}

export async function insertSalary(db: Db, values: SalaryValues): Promise<SalaryRow> {
  await db.insertInto('salaries').values(values).execute();
  return (await salarySelect(db).where('salaries.id', '=', values.id).executeTakeFirstOrThrow()) as SalaryRow;
}

/** One staff member's salaries for `paginate` (sort by `salaries.effective_date`). */
export function salariesOf(db: Db, staffId: string) {
  return salarySelect(db).where('salaries.staff_id', '=', staffId);
}

/** Every salary of these staff members not in the future (the candidates for "current"). */
export async function salariesEffectiveBy(
  db: Db,
  staffIds: readonly string[],
  today: string,
): Promise<SalaryRow[]> {
  if (staffIds.length === 0) return [];
  return salarySelect(db)
    .where('salaries.staff_id', 'in', staffIds)
    .where('salaries.effective_date', '<=', today)
    .execute();
}
