/**
 * Who may see and do what, as pure decisions over a viewer and the staff member concerned.
 * Self-service follows the login link (`staff.user_id = caller id`), not a role, so an
 * instructor (who has a staff record but no staff grants) files and reads their own absences.
 * Answers are 'ok', 'not_found' (the caller may not know it exists: docs/api-conventions.md) or
 * 'forbidden' (they see it but may not do this).
 */

export interface Viewer {
  userId: string | null;
  /** Reads every staff record (`staff:read` at scope all: admin, staff). */
  readsDirectory: boolean;
  /** Reads every salary (`salaries:read` at scope all: admin). */
  readsSalaries: boolean;
  /** Reads and files every absence (`absences:read` at scope all: admin). */
  managesAbsences: boolean;
  /** Decides any absence (`absences:approve` at scope all: admin). */
  decidesAbsences: boolean;
}

export interface StaffRef {
  user_id: string | null;
}

export type Access = 'ok' | 'not_found' | 'forbidden';

export function isSelf(viewer: Viewer, staff: StaffRef): boolean {
  return viewer.userId !== null && staff.user_id === viewer.userId;
}

export function canSeeStaff(viewer: Viewer, staff: StaffRef): boolean {
  return viewer.readsDirectory || isSelf(viewer, staff);
}

/** Salary history and `current_salary`: admins, and the person themselves. */
export function canSeeSalaries(viewer: Viewer, staff: StaffRef): boolean {
  return viewer.readsSalaries || isSelf(viewer, staff);
}

/** A person's absences: admins, the person, and the head of their department. */
export function canSeeAbsences(viewer: Viewer, staff: StaffRef, headsTheirDepartment: boolean): boolean {
  return viewer.managesAbsences || isSelf(viewer, staff) || headsTheirDepartment;
}

/** Filing an absence: the person themselves, or an admin. */
export function fileAbsenceAccess(viewer: Viewer, staff: StaffRef, headsTheirDepartment: boolean): Access {
  if (viewer.managesAbsences || isSelf(viewer, staff)) return 'ok';
  return canSeeAbsences(viewer, staff, headsTheirDepartment) ? 'forbidden' : 'not_found';
}

/**
 * Deciding an absence: an admin or the head of the person's department, never the person
 * themselves (not even an admin or a head: nobody approves their own leave).
 */
export function decideAbsenceAccess(viewer: Viewer, staff: StaffRef, headsTheirDepartment: boolean): Access {
  if (!canSeeAbsences(viewer, staff, headsTheirDepartment)) return 'not_found';
  if (isSelf(viewer, staff)) return 'forbidden';
  return viewer.decidesAbsences || headsTheirDepartment ? 'ok' : 'forbidden';
}
