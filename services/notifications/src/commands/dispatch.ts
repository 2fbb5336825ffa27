/**
 * The fan-out use-cases: turning an event or a staff message for a person into deliveries on
 * their channels, inside the caller's transaction (a consumer's, a route's, a bulk batch's). Nothing here talks to the network: mail and webhooks are queued (workers send
 * them after commit) and live streams are woken through the `Effects` the caller applies once
 * the transaction has committed.
 */
import { makeEvent, type EventEnvelope, type EventOf } from '@portico/kit';
import type { Db } from '../deps.ts';
import { messageFor, recipientOf, type NotifyingEvent } from '../domain/event-messages.ts';
import { NOTIFICATION_SENT } from '../events.ts';
import { enqueueEmail } from '../repository/emails.ts';
import { insertNotification, type NotificationRow } from '../repository/notifications.ts';
import { allows, findUser, preferencesOf, type Preferences, type UserRow } from '../repository/users.ts';
import { enqueueDeliveries, endpointsFor } from '../repository/webhooks.ts';
import type { Channel } from '../tables.ts';
import { notificationView } from '../views.ts';

/** What to do after commit: wake streams, kick the mail and webhook workers. */
export class Effects {
  readonly announced: { user_id: string; seq: number }[] = [];
  mail = false;
  webhooks = false;

  notified(n: NotificationRow): void {
    this.announced.push({ user_id: n.user_id, seq: n.seq });
  }
}

export interface DirectMessage {
  userId: string;
  channel: Channel;
  title: string;
  body: string;
  bulkJobId?: string | null;
}

export type DirectOutcome =
  | { status: 'sent'; notification: NotificationRow | null }
  | { status: 'skipped'; reason: 'channel_disabled' }
  | { status: 'failed'; reason: string };

/**
 * A message from staff (single or bulk send) on one channel. `skipped` when the person turned
 * the channel off; `failed` when it cannot be delivered (email without a known address).
 * The notification row records it in the person's history whatever the channel.
 */
export async function sendDirect(
  db: Db,
  msg: DirectMessage,
  ctx: { prefs: Preferences; user: UserRow | undefined; webhookDelayMs: number },
  effects: Effects,
): Promise<DirectOutcome> {
  if (!allows(ctx.prefs, msg.channel)) return { status: 'skipped', reason: 'channel_disabled' };
  const address = ctx.user?.status === 'active' ? ctx.user.email : null;
  if (msg.channel === 'email' && !address) return { status: 'failed', reason: 'no known email address' };
  const n = await insertNotification(db, {
    user_id: msg.userId,
    channel: msg.channel,
    type: 'message',
    title: msg.title,
    body: msg.body,
    bulk_job_id: msg.bulkJobId ?? null,
  });
  if (!n) return { status: 'sent', notification: null }; // already sent by this job (a retried batch)
  effects.notified(n);
  if (msg.channel === 'email' && address) {
    effects.mail =
      (await enqueueEmail(db, {
        user_id: msg.userId,
        notification_id: n.id,
        source_event_id: null,
        to_address: address,
        subject: n.title,
        body: n.body,
      })) || effects.mail;
  }
  if (msg.channel === 'webhook') {
    const event = makeEvent('notifications', NOTIFICATION_SENT, notificationView(n), { subject: n.id });
    effects.webhooks =
      (await queueWebhooks(db, event, msg.userId, ctx.webhookDelayMs)) > 0 || effects.webhooks;
  }
  return { status: 'sent', notification: n };
}

/**
 * Another service's event → a notification (+ email) for the person it concerns, if anyone:
 * the recipient and message come from domain/event-messages.ts, the sender's name (when the
 * event names an actor) and the recipient's preferences and address from the read model.
 */
export async function notifyPersonConcerned(
  db: Db,
  event: EventOf<NotifyingEvent>,
  effects: Effects,
): Promise<void> {
  const recipient = recipientOf(event.type, event.data);
  const actor = (event.data as { actor_id?: unknown } | null)?.actor_id;
  const sender = typeof actor === 'string' && actor ? await findUser(db, actor) : undefined;
  const message = messageFor(event, {
    sender: sender ? sender.full_name || sender.email : null,
  });
  if (!recipient || !message) return; // concerns nobody (e.g. a student without a login)
  const prefs = await preferencesOf(db, recipient);
  let email: string | null;
  if (event.type === 'user.registered') {
    email = event.data.email ?? null;
  } else {
    const user = await findUser(db, recipient);
    email = user?.status === 'active' ? user.email : null;
  }
  await notifyFromEvent(db, event, recipient, message, { prefs, email }, effects);
}

/**
 * A notification caused by another service's event: one in-app notification (if the person
 * allows in-app) and one email (if they allow email and we know their address). Both are keyed
 * by the event id, so a redelivered or replayed event changes nothing.
 */
export async function notifyFromEvent(
  db: Db,
  event: EventEnvelope,
  recipient: string,
  message: { title: string; body: string },
  ctx: { prefs: Preferences; email: string | null },
  effects: Effects,
): Promise<NotificationRow | null> {
  let n: NotificationRow | null = null;
  if (ctx.prefs.in_app) {
    n = await insertNotification(db, {
      user_id: recipient,
      channel: 'in_app',
      type: event.type,
      title: message.title,
      body: message.body,
      data: (event.data ?? null) as Record<string, unknown> | null,
      source_event_id: event.id,
    });
    if (n) effects.notified(n);
  }
  if (ctx.prefs.email && ctx.email) {
    const queued = await enqueueEmail(db, {
      user_id: recipient,
      notification_id: n?.id ?? null,
      source_event_id: event.id,
      to_address: ctx.email,
      subject: message.title,
      body: message.body,
    });
    effects.mail = queued || effects.mail;
  }
  return n;
}

/** Queues the CloudEvent for every endpoint that should receive it; returns how many. */
export async function queueWebhooks(
  db: Db,
  event: EventEnvelope,
  recipient: string | null,
  delayMs: number,
): Promise<number> {
  const endpoints = await endpointsFor(db, event.type, recipient);
  return enqueueDeliveries(db, endpoints, {
    message_id: event.id,
    event_type: event.type,
    payload: JSON.stringify(event),
    delayMs,
  });
}
