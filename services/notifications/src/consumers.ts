/**
 * Events this service consumes, one consumer per concern (each keeps its own order):
 *   users     — identity's user events → the users read model (addresses, roles, status)
 *   notify    — every notifying event → one notification (+ email) for the person concerned
 *   webhooks  — every notifying event → deliveries to the subscribed webhook endpoints
 * The kit's inbox makes each consumer see an event once; the unique keys on notifications,
 * emails and deliveries make a replay harmless as well.
 */
import { defineConsumer, type ConsumerContext, type ConsumerDefinition } from '@portico/kit';
import { Effects, notifyPersonConcerned, queueWebhooks } from './commands/dispatch.ts';
import type { Deps } from './deps.ts';
import { NOTIFYING_EVENTS, recipientOf } from './domain/event-messages.ts';
import { setRoles, setStatus, upsertProfile, upsertRegistered } from './repository/users.ts';

type Ctx = ConsumerContext<Deps>;

export const USER_EVENTS = [
  'user.registered',
  'user.updated',
  'user.roles_changed',
  'user.disabled',
] as const;

export function consumers(): ConsumerDefinition<Deps>[] {
  return [
    defineConsumer({
      name: 'users',
      types: USER_EVENTS,
      async handle(event, { trx }: Ctx) {
        switch (event.type) {
          case 'user.registered': {
            const d = event.data;
            await upsertRegistered(trx, {
              id: d.user_id,
              email: d.email,
              full_name: d.full_name,
              ...(Array.isArray(d.roles) && { roles: d.roles }),
            });
            return;
          }
          case 'user.updated': {
            const d = event.data;
            await upsertProfile(trx, {
              id: d.user_id,
              email: d.email,
              full_name: d.full_name,
              status: d.status,
            });
            return;
          }
          case 'user.roles_changed': {
            const d = event.data;
            await setRoles(trx, d.user_id, d.new_roles);
            return;
          }
          case 'user.disabled': {
            const d = event.data;
            await setStatus(trx, d.user_id, 'disabled');
            return;
          }
        }
      },
    }),
    defineConsumer({
      name: 'notify',
      types: NOTIFYING_EVENTS,
      async handle(event, { trx, deps, afterCommit }: Ctx) {
        const effects = new Effects();
        await notifyPersonConcerned(trx, event, effects);
        afterCommit(() => deps.context.apply(effects, 30));
      },
    }),
    defineConsumer({
      name: 'webhooks',
      types: NOTIFYING_EVENTS,
      async handle(event, { trx, deps, afterCommit }: Ctx) {
        const queued = await queueWebhooks(
          trx,
          event,
          recipientOf(event.type, event.data),
          deps.context.webhookDelayMs,
        );
        if (queued > 0) {
          const effects = new Effects();
          effects.webhooks = true;
          afterCommit(() => deps.context.apply(effects, 30));
        }
      },
    }),
  ];
}
