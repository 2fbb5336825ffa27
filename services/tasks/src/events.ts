/**
 * The events tasks publishes. Every one carries the shared `TaskEventData` shape
 * (`TasksEvents` in @portico/contracts) plus a few extra fields; notifications reads
 * `task.assigned` (tells `assignee_id`) and `task.completed` (tells `created_by`).
 */
import type { TaskEventData } from '@portico/contracts';
import type { TaskRow } from './tables.ts';

export const TASK_EVENTS = [
  'task.created',
  'task.updated',
  'task.assigned',
  'task.completed',
  'task.cancelled',
  'task.deleted',
] as const;
export type TaskEventType = (typeof TASK_EVENTS)[number];

/** What every task event carries: the contract plus context a consumer may want. */
export interface TaskEvent extends TaskEventData {
  description: string | null;
  category_id: string | null;
  due_at: string | null;
  completed_at: string | null;
  /** Who did it (the caller's user id). A consumer may skip telling people about their own acts. */
  actor_id: string | null;
  /** task.updated: the fields that changed. */
  changes?: string[];
  /** task.assigned / task.updated: the assignee before the change. */
  previous_assignee_id?: string | null;
}

export function taskEventData(
  row: TaskRow,
  actorId: string | null,
  extra: Partial<TaskEvent> = {},
): TaskEvent {
  return {
    task_id: row.id,
    title: row.title,
    status: row.status,
    priority: row.priority,
    created_by: row.created_by,
    assignee_id: row.assignee_id,
    description: row.description,
    category_id: row.category_id,
    due_at: row.due_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
    actor_id: actorId,
    ...extra,
  };
}
