/**
 * The task state machine, as a pure function of (status, action):
 *
 *   pending ──start──▶ in_progress ──complete──▶ completed ──reopen──▶ pending
 *      │                    │
 *      └──────cancel────────┴──▶ cancelled (terminal)
 *
 * `complete` sets `completed_at`, `reopen` clears it; `cancel` sets `cancelled_at`. Anything
 * else is refused (the HTTP layer answers 409 `invalid_state`, RFC 9110 §15.5.10).
 *
 * @example
 *   const r = transition({ status: 'in_progress', completed_at: null, cancelled_at: null }, 'complete', now);
 *   if (!r.ok) throw new AppError('invalid_state', r.reason);
 */

export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_ACTIONS = ['start', 'complete', 'cancel', 'reopen'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

const RULES: Record<TaskAction, { from: readonly TaskStatus[]; to: TaskStatus }> = {
  start: { from: ['pending'], to: 'in_progress' },
  complete: { from: ['in_progress'], to: 'completed' },
  // "Cancel from any state but completed": a cancelled task is already cancelled, so cancelling
  // it again is refused too rather than publishing a second task.cancelled.
  cancel: { from: ['pending', 'in_progress'], to: 'cancelled' },
  reopen: { from: ['completed'], to: 'pending' },
};

/** The part of a task the state machine reads and writes. */
export interface TaskState {
  status: TaskStatus;
  completed_at: Date | null;
  cancelled_at: Date | null;
}

export type TransitionResult = { ok: true; state: TaskState } | { ok: false; reason: string };

/** Applies `action` to `state` at time `now`; never mutates its input. */
export function transition(state: TaskState, action: TaskAction, now: Date): TransitionResult {
  const rule = RULES[action];
  if (!rule.from.includes(state.status)) {
    return { ok: false, reason: `Cannot ${action} a task that is ${state.status.replace('_', ' ')}` };
  }
  switch (action) {
    case 'complete':
      return { ok: true, state: { status: rule.to, completed_at: now, cancelled_at: state.cancelled_at } };
    case 'reopen':
      return { ok: true, state: { status: rule.to, completed_at: null, cancelled_at: state.cancelled_at } };
    case 'cancel':
      return { ok: true, state: { status: rule.to, completed_at: state.completed_at, cancelled_at: now } };
    case 'start':
      return {
        ok: true,
        state: { status: rule.to, completed_at: state.completed_at, cancelled_at: state.cancelled_at },
      };
  }
}

/**
 * The action that moves a task from `from` to `to` (a PATCH that sets `status`), or null when
 * no single action does. `from === to` is not a transition: the caller treats it as no change.
 */
export function actionBetween(from: TaskStatus, to: TaskStatus): TaskAction | null {
  for (const action of TASK_ACTIONS) {
    const rule = RULES[action];
    if (rule.to === to && rule.from.includes(from)) return action;
  }
  return null;
}

/** Whether a task still has work to do (and can therefore be overdue). */
export function isOpen(status: TaskStatus): boolean {
  return status === 'pending' || status === 'in_progress';
}

/** Overdue: open, with a due date strictly before `now`. */
export function isOverdue(task: { status: TaskStatus; due_at: Date | null }, now: Date): boolean {
  return isOpen(task.status) && task.due_at !== null && task.due_at.getTime() < now.getTime();
}
