/**
 * Who may do what to a task. A task belongs to its creator and its assignee; an admin (a
 * caller whose grant for the permission is not limited to `:own`) may do everything.
 *
 * | operation                        | creator | assignee | admin | anyone else |
 * |----------------------------------|---------|----------|-------|-------------|
 * | read, start/complete/cancel/reopen | yes   | yes      | yes   | 404         |
 * | edit fields (PATCH non-status)   | yes     | 403      | yes   | 404         |
 * | delete                           | yes     | 403      | yes   | 404         |
 *
 * Someone who may not see a task learns nothing about it (404, never 403 — docs/api-conventions.md);
 * the assignee can see it, so refusing them an edit is an honest 403.
 */

export type TaskOperation = 'read' | 'transition' | 'edit' | 'delete';
export type AccessDecision = 'allow' | 'forbidden' | 'not_found';

export interface TaskViewer {
  id: string | null;
  /** The caller's `tasks:read` grant covers every task (admin), not only its own. */
  seesAll: boolean;
  /** The caller's grant for this operation covers every task. */
  actsOnAll: boolean;
}

export interface TaskParties {
  created_by: string;
  assignee_id: string | null;
}

export function decideTaskAccess(viewer: TaskViewer, task: TaskParties, op: TaskOperation): AccessDecision {
  const isCreator = viewer.id !== null && viewer.id === task.created_by;
  const isAssignee = viewer.id !== null && viewer.id === task.assignee_id;
  if (isCreator || viewer.actsOnAll) return 'allow';
  if (!isAssignee && !viewer.seesAll) return 'not_found';
  if (op === 'read') return 'allow';
  if (isAssignee && op === 'transition') return 'allow';
  return 'forbidden';
}
