/**
 * Absence use-cases. Filing: the person themselves or an admin; dates in order (422 naming
 * `end_date`); no overlap with the person's pending or approved absences (409
 * `absence_overlap`), checked under a lock on the staff row so two concurrent requests cannot
 * both pass. Deciding: once (`pending → approved | rejected`, again → 409 `invalid_state`), by
 * an admin or the head of the person's department, never by the person themselves (403).
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps, Trx } from '../deps.ts';
import { canSeeAbsences, decideAbsenceAccess, fileAbsenceAccess, type Viewer } from '../domain/access.ts';
import { datesInOrder, decide, type AbsenceDecision, type AbsenceType } from '../domain/absence.ts';
import { absenceData } from '../events.ts';
import { findAbsence, insertAbsence, overlappingAbsences, recordDecision } from '../repository/absences.ts';
import { isHeadOf } from '../repository/departments.ts';
import { findStaff } from '../repository/staff.ts';
import type { AbsenceRow, StaffRow } from '../tables.ts';
import { viewerOf, type Actor } from './viewer.ts';

export interface AbsenceInput {
  start_date: string;
  end_date: string;
  reason: string;
  type?: AbsenceType | undefined;
}

const notFound = () => AppError.notFound('Staff member');

/** The staff member whose absences the caller may see (404 otherwise), with their head flag. */
export async function staffForAbsences(
  db: Deps['db'] | Trx,
  viewer: Viewer,
  staffId: string,
  opts: { lock?: boolean } = {},
): Promise<{ staff: StaffRow; heads: boolean }> {
  const staff = await findStaff(db, staffId, opts);
  if (!staff) throw notFound();
  const heads = await isHeadOf(db, viewer.userId, staff.department_id);
  if (!canSeeAbsences(viewer, staff, heads)) throw notFound();
  return { staff, heads };
}

export async function fileAbsence(
  deps: Deps,
  actor: Actor,
  staffId: string,
  input: AbsenceInput,
): Promise<AbsenceRow> {
  if (!datesInOrder(input)) {
    throw AppError.validation([
      { field: 'end_date', code: 'before_start', message: 'must be on or after start_date' },
    ]);
  }
  const viewer = viewerOf(actor.caller);
  return deps.tx(async (trx) => {
    const staff = await findStaff(trx, staffId, { lock: true });
    if (!staff) throw notFound();
    const access = fileAbsenceAccess(viewer, staff, await isHeadOf(trx, viewer.userId, staff.department_id));
    if (access === 'not_found') throw notFound();
    if (access === 'forbidden') {
      throw new AppError('forbidden', 'Only the staff member themselves or an admin may file an absence');
    }
    if (staff.status !== 'active') throw new AppError('invalid_state', 'The staff member is inactive');
    const clash = await overlappingAbsences(trx, staffId, input.start_date, input.end_date);
    if (clash.length > 0) {
      const other = clash[0]!;
      throw new AppError(
        'absence_overlap',
        `Overlaps the ${other.status} absence ${other.id} (${other.start_date} – ${other.end_date})`,
        {
          errors: [
            { field: 'start_date', code: 'overlap', message: 'overlaps a pending or approved absence' },
            { field: 'end_date', code: 'overlap', message: 'overlaps a pending or approved absence' },
          ],
          extensions: { conflicting_absence_id: other.id },
        },
      );
    }
    const row = await insertAbsence(trx, {
      id: uuidv7(),
      staff_id: staffId,
      start_date: input.start_date,
      end_date: input.end_date,
      type: input.type ?? 'other',
      reason: input.reason.trim(),
      requested_by: actor.caller.id,
    });
    await deps.publish(trx, 'absence.requested', absenceData(row, staff), { subject: row.id });
    return row;
  });
}

export async function decideAbsence(
  deps: Deps,
  actor: Actor,
  staffId: string,
  absenceId: string,
  decision: AbsenceDecision,
  reason: string | null,
): Promise<AbsenceRow> {
  const viewer = viewerOf(actor.caller);
  return deps.tx(async (trx) => {
    const staff = await findStaff(trx, staffId);
    if (!staff) throw notFound();
    const heads = await isHeadOf(trx, viewer.userId, staff.department_id);
    const access = decideAbsenceAccess(viewer, staff, heads);
    const absence =
      access === 'not_found' ? undefined : await findAbsence(trx, staffId, absenceId, { lock: true });
    if (!absence) throw AppError.notFound('Absence');
    if (access === 'forbidden') {
      throw new AppError(
        'forbidden',
        viewer.userId !== null && staff.user_id === viewer.userId
          ? 'Nobody decides their own absence'
          : 'Only an admin or the head of the department decides absences',
      );
    }
    const next = decide(absence.status, decision);
    if (next === null) throw new AppError('invalid_state', `The absence was already ${absence.status}`);
    await recordDecision(
      trx,
      absence.id,
      { status: next, decided_by: actor.caller.id, decision_reason: reason },
      new Date(),
    );
    const updated = (await findAbsence(trx, staffId, absence.id))!;
    const type = next === 'approved' ? 'absence.approved' : 'absence.rejected';
    await deps.publish(trx, type, absenceData(updated, staff), { subject: updated.id });
    return updated;
  });
}
