/** Who a command acts for, and how it publishes (subject = the entity id, trace carried on). */
import { AppError, type Caller } from '@portico/kit';
import type { Deps, Trx } from '../deps.ts';

export interface Actor {
  caller: Caller;
  traceparent?: string | undefined;
}

export function publisher(deps: Deps, trx: Trx, actor: Actor) {
  return <T>(type: string, data: T, subject: string) =>
    deps.publish(trx, type, data, {
      subject,
      ...(actor.traceparent !== undefined && { traceparent: actor.traceparent }),
    });
}

/** The login acting (recorded as `graded_by`, `assessed_by`); a bare service passport has none. */
export function actorId(caller: Caller): string {
  if (caller.id === null)
    throw new AppError('forbidden', 'This action is recorded against a user; the caller has none');
  return caller.id;
}
