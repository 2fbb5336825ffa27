/**
 * Task priorities and their order. Lists sort on the rank (stored as the generated column
 * `priority_rank`), never on the text, so `-priority` means urgent first.
 */
export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const DEFAULT_PRIORITY: Priority = 'medium';

/** low 1 < medium 2 < high 3 < urgent 4 — the same numbers as the migration's CASE. */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p) + 1;
}
