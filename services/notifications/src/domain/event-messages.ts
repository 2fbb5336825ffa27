/**
 * What each consumed event says to the person it concerns: the notification's title and body.
 * The recipient is the field `eventRecipientField` names (@portico/contracts); an event whose
 * recipient is missing or null concerns nobody and produces no notification.
 */
import type { EventOf } from '@portico/kit';
import { eventRecipientField } from '@portico/contracts';

/** The events that become notifications (docs/services.md, notifications). */
export const NOTIFYING_EVENTS = [
  'user.registered',
  'order.confirmed',
  'order.cancelled',
  'shipment.dispatched',
  'shipment.delivered',
  'task.assigned',
  'task.completed',
  'enrollment.created',
  'grade.recorded',
  'invoice.issued',
  'payment.received',
  'absence.approved',
] as const;
export type NotifyingEvent = (typeof NOTIFYING_EVENTS)[number];

export interface Message {
  title: string;
  body: string;
}

/** The person an event concerns, or null. */
export function recipientOf(type: string, data: unknown): string | null {
  const field = eventRecipientField[type];
  if (!field || !data || typeof data !== 'object') return null;
  const v = (data as Record<string, unknown>)[field];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** Integer minor units as money text, e.g. `formatMoney(125000, 'KES')` → `KES 1,250.00`. */
export function formatMoney(minor: number, currency: string): string {
  try {
    const fmt = new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'code' });
    const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
    return fmt.format(minor / 10 ** digits).replace(/\u00a0/g, ' ');
  } catch {
    return `${minor} ${currency}`;
  }
}

const short = (id: string) => (id.length > 8 ? id.slice(-8) : id);

/** Title and body for a notifying event (its data narrowed by its type). */
export function messageFor(event: EventOf<NotifyingEvent>): Message | null {
  switch (event.type) {
    case 'user.registered': {
      const d = event.data;
      return { title: 'Welcome to Portico', body: `Hi ${d.full_name || d.email}, your account is ready.` };
    }
    case 'order.confirmed': {
      const d = event.data;
      const items = d.items?.reduce((n, i) => n + i.quantity, 0) ?? 0;
      return {
        title: 'Order confirmed',
        body: `Your order …${short(d.order_id)} (${items} item${items === 1 ? '' : 's'}, ${formatMoney(d.total, d.currency)}) is confirmed.`,
      };
    }
    case 'order.cancelled': {
      const d = event.data;
      return { title: 'Order cancelled', body: `Your order …${short(d.order_id)} was cancelled.` };
    }
    case 'shipment.dispatched': {
      const d = event.data;
      const carrier = d.carrier ? ` with ${d.carrier}` : '';
      return {
        title: 'Your order is on its way',
        body: `Shipment ${d.tracking_number} for order …${short(d.order_id)} was dispatched${carrier}.`,
      };
    }
    case 'shipment.delivered': {
      const d = event.data;
      return {
        title: 'Your order was delivered',
        body: `Shipment ${d.tracking_number} for order …${short(d.order_id)} was delivered.`,
      };
    }
    case 'task.assigned': {
      const d = event.data;
      return {
        title: 'Task assigned to you',
        body: `You were assigned "${d.title}" (${d.priority} priority).`,
      };
    }
    case 'task.completed': {
      const d = event.data;
      return { title: 'Task completed', body: `"${d.title}" was completed.` };
    }
    case 'enrollment.created': {
      const d = event.data;
      return {
        title: `Enrolled in ${d.course_code}`,
        body: `You are enrolled in ${d.course_title} (${d.course_code}).`,
      };
    }
    case 'grade.recorded': {
      const d = event.data;
      return {
        title: 'Grade recorded',
        body: `A grade of ${d.grade} (score ${d.score}) was recorded for your enrollment.`,
      };
    }
    case 'invoice.issued': {
      const d = event.data;
      return {
        title: `Invoice ${d.number} issued`,
        body: `Invoice ${d.number} for ${formatMoney(d.total, d.currency)} is due on ${d.due_date}.`,
      };
    }
    case 'payment.received': {
      const d = event.data;
      return {
        title: 'Payment received',
        body: `We received your payment of ${formatMoney(d.amount, d.currency)}. Thank you.`,
      };
    }
    case 'absence.approved': {
      const d = event.data;
      return {
        title: 'Absence approved',
        body: `Your absence from ${d.start_date} to ${d.end_date} was approved.`,
      };
    }
    default:
      return null;
  }
}
