/**
 * Events this service consumes, one consumer per concern (each keeps its own order):
 *   users     — identity's user events → the users read model (addresses, roles, status)
 *   notify    — every notifying event → one notification (+ email) for the person concerned
 *   webhooks  — every notifying event → deliveries to the subscribed webhook endpoints
 * The kit's inbox makes each consumer see an event once; the unique keys on notifications,
 * emails and deliveries make a replay harmless as well.
 */
import { defineConsumer, type ConsumerContext, type ConsumerDefinition } from '@portico/kit';
import { messageFor, NOTIFYING_EVENTS, recipientOf } from './domain/event-messages.ts';
import { Effects, notifyFromEvent, queueWebhooks } from './dispatch.ts';
import {
  findUser,
  preferencesOf,
  setRoles,
  setStatus,
  upsertProfile,
  upsertRegistered,
} from './repository/users.ts';
import type { NotificationsDeps } from './instance.ts';

type Ctx = ConsumerContext<NotificationsDeps>;

export const USER_EVENTS = [
  'user.registered',
  'user.updated',
  'user.roles_changed',
  'user.disabled',
] as const;

export function consumers(): ConsumerDefinition<NotificationsDeps>[] {
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
        const recipient = recipientOf(event.type, event.data);
        const actor = (event.data as { actor_id?: unknown } | null)?.actor_id;
        const sender = typeof actor === 'string' && actor ? await findUser(trx, actor) : undefined;
        const message = messageFor(event, {
          sender: sender ? sender.full_name || sender.email : null,
        });
        if (!recipient || !message) return; // concerns nobody (e.g. a student without a login)
        const prefs = await preferencesOf(trx, recipient);
        let email: string | null;
        if (event.type === 'user.registered') {
          email = event.data.email ?? null;
        } else {
          const user = await findUser(trx, recipient);
          email = user?.status === 'active' ? user.email : null;
        }
        const effects = new Effects();
        await notifyFromEvent(trx, event, recipient, message, { prefs, email }, effects);
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
