/** Rows → the public JSON shapes (RFC 3339 times, links to related resources). */
import { isOverdue } from './domain/task-state.ts';
import type { CategoryRow, TaskRow } from './tables.ts';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function publicTask(row: TaskRow, now: Date) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    category_id: row.category_id,
    due_at: iso(row.due_at),
    overdue: isOverdue(row, now),
    assignee_id: row.assignee_id,
    created_by: row.created_by,
    completed_at: iso(row.completed_at),
    cancelled_at: iso(row.cancelled_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    links: { self: `/api/v1/tasks/${row.id}` },
  };
}

export function publicCategory(row: CategoryRow) {
  return {
    id: row.id,
    owner_id: row.owner_id,
    name: row.name,
    color: row.color,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    links: { self: `/api/v1/categories/${row.id}`, tasks: `/api/v1/tasks?category_id=${row.id}` },
  };
}
