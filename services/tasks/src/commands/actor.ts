/** Who a command acts for, and how it publishes task events (subject = the task id). */
import { AppError, type Caller } from '@portico/kit';
import type { Deps, Trx } from '../deps.ts';
import { taskEventData, type TaskEvent, type TaskEventType } from '../events.ts';
import type { TaskRow } from '../tables.ts';

export interface Actor {
  caller: Caller;
}

/** The signed-in user a command acts for (a bare service passport carries no user). */
export function actorId(caller: Caller): string {
  if (caller.id === null)
    throw new AppError('forbidden', 'Tasks belong to users; this caller has no user id');
  return caller.id;
}

/** Publishes a task event in `trx` (the outbox), naming the actor as `actor_id`. */
export function taskPublisher(deps: Deps, trx: Trx, actor: Actor) {
  return (type: TaskEventType, row: TaskRow, extra: Partial<TaskEvent> = {}) =>
    deps.publish(trx, type, taskEventData(row, actor.caller.id, extra), { subject: row.id });
}
