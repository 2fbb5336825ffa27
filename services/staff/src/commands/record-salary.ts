/**
 * Salary use-cases: record a salary (append-only history; admins only) and read who earns
 * what now (domain/salary.ts picks the current one).
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Db, Deps } from '../deps.ts';
import { currentSalary, utcToday } from '../domain/salary.ts';
import { insertSalary, salariesEffectiveBy } from '../repository/salaries.ts';
import type { SalaryRow } from '../tables.ts';
import { loadStaff, type Actor } from './viewer.ts';

export interface SalaryInput {
  amount: number;
  currency: string;
  effective_date: string;
}

export async function recordSalary(deps: Deps, actor: Actor, staffId: string, input: SalaryInput) {
  return deps.tx(async (trx) => {
    const staff = await loadStaff(trx, staffId, { lock: true });
    if (staff.status !== 'active') {
      throw new AppError('invalid_state', 'The staff member is inactive; their salary history is closed');
    }
    return insertSalary(trx, {
      id: uuidv7(),
      staff_id: staffId,
      amount: input.amount,
      currency: input.currency,
      effective_date: input.effective_date,
      recorded_by: actor.caller.id,
    });
  });
}

/** The current salary of each of `staffIds` (absent from the map: none in effect). */
export async function currentSalaries(
  db: Db,
  staffIds: readonly string[],
  now: Date = new Date(),
): Promise<Map<string, SalaryRow>> {
  const today = utcToday(now);
  const byStaff = new Map<string, SalaryRow[]>();
  for (const s of await salariesEffectiveBy(db, staffIds, today)) {
    const list = byStaff.get(s.staff_id) ?? [];
    list.push(s);
    byStaff.set(s.staff_id, list);
  }
  const out = new Map<string, SalaryRow>();
  for (const [id, list] of byStaff) {
    const current = currentSalary(list, today);
    if (current) out.set(id, current);
  }
  return out;
}
