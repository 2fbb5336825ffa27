/**
 * Department use-cases: create, change (name, description, head) and delete. Delete is soft
 * (staff records keep pointing at the department) and refused with 409 while the department
 * still has active staff; the row lock makes that check race-free against staff being added.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Db, Deps } from '../deps.ts';
import {
  countActiveStaff,
  findDepartment,
  insertDepartment,
  updateDepartment,
  type DepartmentPatch,
} from '../repository/departments.ts';
import { findStaff } from '../repository/staff.ts';
import type { DepartmentRow } from '../tables.ts';

export interface DepartmentInput {
  name?: string | undefined;
  description?: string | null | undefined;
  head_staff_id?: string | null | undefined;
}

/** A department head must be an active staff member (422 naming `head_staff_id`). */
async function checkHead(db: Db, headId: string | null | undefined): Promise<void> {
  if (headId === null || headId === undefined) return;
  const head = await findStaff(db, headId);
  if (!head || head.status !== 'active') {
    throw AppError.validation([
      { field: 'head_staff_id', code: 'unknown_staff', message: 'must be an active staff member' },
    ]);
  }
}

export async function createDepartment(deps: Deps, input: DepartmentInput & { name: string }) {
  return deps.tx(async (trx) => {
    await checkHead(trx, input.head_staff_id);
    return insertDepartment(trx, {
      id: uuidv7(),
      name: input.name.trim(),
      description: input.description ?? null,
      head_staff_id: input.head_staff_id ?? null,
    });
  });
}

export async function loadDepartment(db: Db, id: string, lock?: 'update' | 'share'): Promise<DepartmentRow> {
  const row = await findDepartment(db, id, lock ? { lock } : {});
  if (!row) throw AppError.notFound('Department');
  return row;
}

export async function changeDepartment(deps: Deps, id: string, input: DepartmentInput) {
  return deps.tx(async (trx) => {
    const row = await loadDepartment(trx, id, 'update');
    if (row.status !== 'active') throw new AppError('invalid_state', 'The department was deleted');
    await checkHead(trx, input.head_staff_id);
    const patch: DepartmentPatch = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.description !== undefined) patch.description = input.description;
    if (input.head_staff_id !== undefined) patch.head_staff_id = input.head_staff_id;
    return updateDepartment(trx, id, patch, new Date());
  });
}

/** Soft delete; deleting an already deleted department changes nothing (204 again). */
export async function deleteDepartment(deps: Deps, id: string): Promise<void> {
  await deps.tx(async (trx) => {
    const row = await loadDepartment(trx, id, 'update');
    if (row.status !== 'active') return;
    const active = await countActiveStaff(trx, id);
    if (active > 0) {
      throw new AppError('conflict', `The department still has ${active} active staff member(s)`, {
        errors: [{ field: 'id', code: 'has_active_staff', message: 'move or deactivate its staff first' }],
      });
    }
    await updateDepartment(trx, id, { status: 'inactive' }, new Date());
  });
}
