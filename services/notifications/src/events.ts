/**
 * The events notifications emits. It publishes nothing on the bus (`publishes: []`); what it
 * sends out are webhooks: the events it consumes (domain/event-messages.ts) and its own
 * `notification.sent`, for a staff message sent on the webhook channel.
 */
import { NOTIFYING_EVENTS } from './domain/event-messages.ts';

export const NOTIFICATION_SENT = 'notification.sent';

/** Event types an endpoint may subscribe to; `*` means every one of them. */
export const WEBHOOK_EVENT_TYPES = [...NOTIFYING_EVENTS, NOTIFICATION_SENT] as const;
