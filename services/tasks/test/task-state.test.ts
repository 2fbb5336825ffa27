import { describe, expect, it } from 'vitest';
import {
  actionBetween,
  isOverdue,
  TASK_ACTIONS,
  TASK_STATUSES,
  transition,
  type TaskAction,
  type TaskState,
  type TaskStatus,
} from '../src/domain/task-state.ts';

const now = new Date('2026-03-01T12:00:00.000Z');
const earlier = new Date('2026-02-01T08:00:00.000Z');
const state = (
  status: TaskStatus,
  completed_at: Date | null = null,
  cancelled_at: Date | null = null,
): TaskState => ({
  status,
  completed_at,
  cancelled_at,
});

// The whole table: every (status, action) pair and where it leads, or null when refused.
const EXPECTED: Record<TaskStatus, Record<TaskAction, TaskStatus | null>> = {
  pending: { start: 'in_progress', complete: null, cancel: 'cancelled', reopen: null },
  in_progress: { start: null, complete: 'completed', cancel: 'cancelled', reopen: null },
  completed: { start: null, complete: null, cancel: null, reopen: 'pending' },
  cancelled: { start: null, complete: null, cancel: null, reopen: null },
};

describe('the task state machine', () => {
  for (const from of TASK_STATUSES) {
    for (const action of TASK_ACTIONS) {
      const to = EXPECTED[from][action];
      it(`${to ? 'lets' : 'refuses'} ${action} from ${from}${to ? ` (→ ${to})` : ''}`, () => {
        const r = transition(state(from), action, now);
        if (to === null) {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.reason).toContain(action);
        } else {
          expect(r).toMatchObject({ ok: true, state: { status: to } });
        }
      });
    }
  }

  it('sets completed_at when a task is completed', () => {
    const r = transition(state('in_progress'), 'complete', now);
    expect(r).toEqual({ ok: true, state: { status: 'completed', completed_at: now, cancelled_at: null } });
  });

  it('clears completed_at when a completed task is reopened', () => {
    const r = transition(state('completed', earlier), 'reopen', now);
    expect(r).toEqual({ ok: true, state: { status: 'pending', completed_at: null, cancelled_at: null } });
  });

  it('sets cancelled_at when a task is cancelled', () => {
    const r = transition(state('pending'), 'cancel', now);
    expect(r).toEqual({ ok: true, state: { status: 'cancelled', completed_at: null, cancelled_at: now } });
  });

  it('does not change the state it is given', () => {
    const before = state('in_progress');
    transition(before, 'complete', now);
    expect(before).toEqual(state('in_progress'));
  });

  it('returns only the state fields when given a whole task row (the result is written back as-is)', () => {
    const row = { ...state('pending'), id: 't1', title: 'x', priority_rank: 2 };
    for (const action of TASK_ACTIONS) {
      const r = transition(row, action, now);
      if (r.ok) expect(Object.keys(r.state).sort()).toEqual(['cancelled_at', 'completed_at', 'status']);
    }
  });

  it('runs the whole lifecycle pending → in_progress → completed → pending', () => {
    let s = state('pending');
    for (const a of ['start', 'complete', 'reopen', 'start', 'cancel'] as const) {
      const r = transition(s, a, now);
      if (!r.ok) throw new Error(r.reason);
      s = r.state;
    }
    expect(s).toEqual({ status: 'cancelled', completed_at: null, cancelled_at: now });
  });
});

describe('a status change requested by PATCH', () => {
  it('maps to the one action that makes it', () => {
    expect(actionBetween('pending', 'in_progress')).toBe('start');
    expect(actionBetween('in_progress', 'completed')).toBe('complete');
    expect(actionBetween('pending', 'cancelled')).toBe('cancel');
    expect(actionBetween('in_progress', 'cancelled')).toBe('cancel');
    expect(actionBetween('completed', 'pending')).toBe('reopen');
  });

  it('has no action for a change the machine does not allow', () => {
    expect(actionBetween('pending', 'completed')).toBeNull();
    expect(actionBetween('completed', 'cancelled')).toBeNull();
    expect(actionBetween('completed', 'in_progress')).toBeNull();
    expect(actionBetween('cancelled', 'pending')).toBeNull();
    expect(actionBetween('in_progress', 'pending')).toBeNull();
  });

  it('agrees with transition() for every pair of statuses', () => {
    for (const from of TASK_STATUSES) {
      for (const to of TASK_STATUSES) {
        const action = actionBetween(from, to);
        if (action === null) continue;
        expect(transition(state(from), action, now)).toMatchObject({ ok: true, state: { status: to } });
      }
    }
  });
});

describe('overdue', () => {
  it('is an open task due strictly before now', () => {
    expect(isOverdue({ status: 'pending', due_at: earlier }, now)).toBe(true);
    expect(isOverdue({ status: 'in_progress', due_at: earlier }, now)).toBe(true);
    expect(isOverdue({ status: 'pending', due_at: now }, now)).toBe(false);
    expect(isOverdue({ status: 'pending', due_at: null }, now)).toBe(false);
  });

  it('is never a completed or cancelled task', () => {
    expect(isOverdue({ status: 'completed', due_at: earlier }, now)).toBe(false);
    expect(isOverdue({ status: 'cancelled', due_at: earlier }, now)).toBe(false);
  });
});
