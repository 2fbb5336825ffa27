/** Who a command acts for, and how it publishes (subject = the entity id; the kit carries the trace). */
import { AppError, type Caller } from '@portico/kit';
import type { CurriculumEvents } from '@portico/contracts';
import type { Deps, Trx } from '../deps.ts';

export interface Actor {
  caller: Caller;
}

export function publisher(deps: Deps, trx: Trx) {
  return <K extends keyof CurriculumEvents>(type: K, data: CurriculumEvents[K], subject: string) =>
    deps.publish(trx, type, data, { subject });
}

/** The login acting (recorded as `graded_by`, `assessed_by`); a bare service passport has none. */
export function actorId(caller: Caller): string {
  if (caller.id === null)
    throw new AppError('forbidden', 'This action is recorded against a user; the caller has none');
  return caller.id;
}
