/**
 * Staff use-cases: hire (create), change, deactivate (the soft DELETE). Each runs in one
 * transaction with its `staff.*` event (transactional outbox), subject = the staff id. The
 * department is locked (share) while a member joins it, so it cannot be deleted meanwhile.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps, Trx } from '../deps.ts';
import { staffData, type StaffEventType } from '../events.ts';
import { findDepartment } from '../repository/departments.ts';
import { insertStaff, updateStaff, type StaffPatch } from '../repository/staff.ts';
import type { RecordStatus, StaffRow } from '../tables.ts';
import { loadStaff } from './viewer.ts';

export interface StaffInput {
  employee_number: string;
  email: string;
  full_name: string;
  position: string;
  department_id: string;
  hire_date: string;
  user_id?: string | null | undefined;
}

export type StaffChange = Partial<StaffInput> & { status?: RecordStatus | undefined };

/** Staff join only existing, active departments (422 naming `department_id`). */
async function checkDepartment(trx: Trx, id: string): Promise<void> {
  const dept = await findDepartment(trx, id, { lock: 'share' });
  if (!dept || dept.status !== 'active') {
    throw AppError.validation([
      {
        field: 'department_id',
        code: 'unknown_department',
        message: `no active department has the id "${id}"`,
      },
    ]);
  }
}

const normalise = {
  employee_number: (v: string) => v.trim(),
  email: (v: string) => v.trim().toLowerCase(),
  text: (v: string) => v.trim(),
};

async function publish(deps: Deps, trx: Trx, type: StaffEventType, row: StaffRow) {
  await deps.publish(trx, type, staffData(row), { subject: row.id });
}

export async function createStaff(deps: Deps, input: StaffInput): Promise<StaffRow> {
  return deps.tx(async (trx) => {
    await checkDepartment(trx, input.department_id);
    const row = await insertStaff(trx, {
      id: uuidv7(),
      employee_number: normalise.employee_number(input.employee_number),
      email: normalise.email(input.email),
      full_name: normalise.text(input.full_name),
      position: normalise.text(input.position),
      department_id: input.department_id,
      hire_date: input.hire_date,
      user_id: input.user_id ?? null,
    });
    await publish(deps, trx, 'staff.created', row);
    return row;
  });
}

function patchOf(row: StaffRow, input: StaffChange): StaffPatch {
  const patch: StaffPatch = {};
  const set = <K extends keyof StaffPatch>(key: K, value: StaffPatch[K] | undefined) => {
    if (value !== undefined && value !== row[key]) patch[key] = value;
  };
  set('employee_number', input.employee_number && normalise.employee_number(input.employee_number));
  set('email', input.email && normalise.email(input.email));
  set('full_name', input.full_name && normalise.text(input.full_name));
  set('position', input.position && normalise.text(input.position));
  set('department_id', input.department_id);
  set('hire_date', input.hire_date);
  set('user_id', input.user_id);
  set('status', input.status);
  return patch;
}

/**
 * PATCH: only fields whose value changes count; nothing changed → no write, no event. Going
 * to `inactive` publishes `staff.deactivated`; anything else `staff.updated`.
 */
export async function changeStaff(deps: Deps, id: string, input: StaffChange): Promise<StaffRow> {
  return deps.tx(async (trx) => {
    const row = await loadStaff(trx, id, { lock: true });
    const patch = patchOf(row, input);
    if (Object.keys(patch).length === 0) return row;
    const status = patch.status ?? row.status;
    // Reactivating someone, or moving an active member, needs a live department.
    if (status === 'active' && (patch.department_id !== undefined || patch.status === 'active')) {
      await checkDepartment(trx, patch.department_id ?? row.department_id);
    }
    const updated = await updateStaff(trx, id, patch, new Date());
    const type = patch.status === 'inactive' ? 'staff.deactivated' : 'staff.updated';
    await publish(deps, trx, type, updated);
    return updated;
  });
}

/** DELETE: soft (`status: inactive`) with `staff.deactivated`; already inactive → no-op. */
export async function deactivateStaff(deps: Deps, id: string): Promise<void> {
  await changeStaff(deps, id, { status: 'inactive' });
}
