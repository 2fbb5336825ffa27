/**
 * Events this service consumes, one consumer per concern (each keeps its own order):
 *   users     — identity's user events → the users read model (addresses, roles, status)
 *   notify    — every notifying event → one notification (+ email) for the person concerned
 *   webhooks  — every notifying event → deliveries to the subscribed webhook endpoints
 * The kit's inbox makes each consumer see an event once; the unique keys on notifications,
 * emails and deliveries make a replay harmless as well.
 */
import type {
  ConsumerDefinition,
  UserRegisteredData,
  UserRolesChangedData,
  UserUpdatedData,
  UserDisabledData,
} from '@portico/kit';
import type { Database } from './tables.ts';
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
import type { Runtimes } from './instance.ts';

export const USER_EVENTS = [
  'user.registered',
  'user.updated',
  'user.roles_changed',
  'user.disabled',
] as const;

export function consumers(runtimes: Runtimes): ConsumerDefinition<Database>[] {
  return [
    {
      name: 'users',
      types: [...USER_EVENTS],
      async handle(event, { trx }) {
        switch (event.type) {
          case 'user.registered': {
            const d = event.data as UserRegisteredData & { roles?: string[] };
            await upsertRegistered(trx, {
              id: d.user_id,
              email: d.email,
              full_name: d.full_name,
              ...(Array.isArray(d.roles) && { roles: d.roles }),
            });
            return;
          }
          case 'user.updated': {
            const d = event.data as UserUpdatedData;
            await upsertProfile(trx, {
              id: d.user_id,
              email: d.email,
              full_name: d.full_name,
              status: d.status,
            });
            return;
          }
          case 'user.roles_changed': {
            const d = event.data as UserRolesChangedData;
            await setRoles(trx, d.user_id, d.new_roles);
            return;
          }
          case 'user.disabled': {
            const d = event.data as UserDisabledData;
            await setStatus(trx, d.user_id, 'disabled');
            return;
          }
        }
      },
    },
    {
      name: 'notify',
      types: [...NOTIFYING_EVENTS],
      async handle(event, { trx, afterCommit }) {
        const recipient = recipientOf(event.type, event.data);
        const actor = (event.data as { actor_id?: unknown } | null)?.actor_id;
        const sender = typeof actor === 'string' && actor ? await findUser(trx, actor) : undefined;
        const message = messageFor(event.type, event.data, {
          sender: sender ? sender.full_name || sender.email : null,
        });
        if (!recipient || !message) return; // concerns nobody (e.g. a student without a login)
        const prefs = await preferencesOf(trx, recipient);
        let email: string | null;
        if (event.type === 'user.registered') {
          email = (event.data as UserRegisteredData).email ?? null;
        } else {
          const user = await findUser(trx, recipient);
          email = user?.status === 'active' ? user.email : null;
        }
        const effects = new Effects();
        await notifyFromEvent(trx, event, recipient, message, { prefs, email }, effects);
        afterCommit(() => runtimes.applyPending(effects));
      },
    },
    {
      name: 'webhooks',
      types: [...NOTIFYING_EVENTS],
      async handle(event, { trx, afterCommit }) {
        const queued = await queueWebhooks(
          trx,
          event,
          recipientOf(event.type, event.data),
          runtimes.webhookDelayMs,
        );
        if (queued > 0) {
          const effects = new Effects();
          effects.webhooks = true;
          afterCommit(() => runtimes.applyPending(effects));
        }
      },
    },
  ];
}
