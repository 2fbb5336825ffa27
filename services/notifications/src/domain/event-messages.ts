/**
 * What each consumed event says to the person it concerns: the notification's title and body.
 * The recipient is the field `eventRecipientField` names (@portico/contracts); an event whose
 * recipient is missing or null concerns nobody and produces no notification.
 */
import type { EventOf } from '@portico/kit';
import { eventRecipientField } from '@portico/contracts';
import { quoteUserText } from './user-text.ts';

/** The events that become notifications (docs/services.md, notifications). */
export const NOTIFYING_EVENTS = [
  'user.registered',
  'user.registration_attempted',
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
  'invoice.paid',
  'invoice.overdue',
  'invoice.voided',
  'payment.refunded',
  'absence.requested',
  'absence.approved',
  'absence.rejected',
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

/**
 * Who caused an event, as the users read model knows them (full name, else email), or null when
 * unknown. Messages that quote text a user wrote name that user, so the recipient can tell the
 * platform's words from someone else's.
 */
export interface MessageContext {
  sender?: string | null;
}

const by = (ctx: MessageContext, data: unknown) => {
  const actor = (data as { actor_id?: unknown }).actor_id;
  if (ctx.sender) return quoteUserText(ctx.sender, 80);
  return typeof actor === 'string' && actor ? `User …${short(actor)}` : 'Someone';
};

/** Title and body for a notifying event (its data narrowed by its type). */
export function messageFor(event: EventOf<NotifyingEvent>, ctx: MessageContext = {}): Message | null {
  const data = event.data;
  switch (event.type) {
    case 'user.registered': {
      const d = event.data;
      return { title: 'Welcome to Portico', body: `Hi ${d.full_name || d.email}, your account is ready.` };
    }
    case 'user.registration_attempted':
      return {
        title: 'Someone tried to register with your email',
        body:
          'Someone tried to create a Portico account with this email address, which already has one. ' +
          'If it was you, sign in instead (or change your password if you have forgotten it); ' +
          'if not, you can ignore this message: no account was created.',
      };
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
        body: `${by(ctx, data)} assigned you a task (${d.priority} priority). Its title, as they wrote it: “${quoteUserText(d.title)}”`,
      };
    }
    case 'task.completed': {
      const d = event.data;
      return {
        title: 'Task completed',
        body: `${by(ctx, data)} completed your task “${quoteUserText(d.title)}”.`,
      };
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
    case 'invoice.paid': {
      const d = event.data;
      return {
        title: `Invoice ${d.number} paid`,
        body: `Invoice ${d.number} for ${formatMoney(d.total, d.currency)} is paid in full. Thank you.`,
      };
    }
    case 'invoice.overdue': {
      const d = event.data;
      return {
        title: `Invoice ${d.number} is overdue`,
        body: `Invoice ${d.number} was due on ${d.due_date}; ${formatMoney(d.balance_due, d.currency)} is still outstanding.`,
      };
    }
    case 'invoice.voided': {
      const d = event.data;
      return {
        title: `Invoice ${d.number} voided`,
        body: `Invoice ${d.number} for ${formatMoney(d.total, d.currency)} was voided; nothing is owed on it.`,
      };
    }
    case 'payment.refunded': {
      const d = event.data;
      return {
        title: 'Payment refunded',
        body: `${formatMoney(d.amount, d.currency)} of your payment was refunded.`,
      };
    }
    case 'absence.requested': {
      const d = event.data;
      return {
        title: 'Absence requested',
        body: `Your absence from ${d.start_date} to ${d.end_date} was filed and awaits a decision.`,
      };
    }
    case 'absence.approved': {
      const d = event.data;
      return {
        title: 'Absence approved',
        body: `Your absence from ${d.start_date} to ${d.end_date} was approved.`,
      };
    }
    case 'absence.rejected': {
      const d = event.data;
      return {
        title: 'Absence rejected',
        body: `Your absence from ${d.start_date} to ${d.end_date} was rejected.`,
      };
    }
    default:
      return null;
  }
}
