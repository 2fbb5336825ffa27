/**
 * Notifications' contracts: its error codes, its role grants, and which field of each event's
 * data names the person it concerns (notifications and webhooks deliver to that person only).
 */
import { registerProblems, registerRoleGrants } from '@portico/kit';

export const notificationsProblems = registerProblems('notifications', {
  channel_disabled: { status: 422, title: 'Channel disabled by the recipient' },
} as const);

registerRoleGrants({
  staff: ['notifications:*', 'notification-templates:*', 'webhooks:*:own'],
  instructor: ['notifications:*:own', 'webhooks:*:own'],
  student: ['notifications:*:own', 'webhooks:*:own'],
  user: ['notifications:*:own', 'webhooks:*:own'],
});

/** Which field of an event's data names the person concerned (notifications, webhooks). */
export const eventRecipientField: Record<string, string> = {
  'user.registered': 'user_id',
  'user.registration_attempted': 'user_id',
  'order.confirmed': 'customer_id',
  'order.cancelled': 'customer_id',
  'order.shipped': 'customer_id',
  'order.delivered': 'customer_id',
  'shipment.created': 'customer_id',
  'shipment.dispatched': 'customer_id',
  'shipment.delivered': 'customer_id',
  'shipment.cancelled': 'customer_id',
  'task.assigned': 'assignee_id',
  'task.completed': 'created_by',
  'enrollment.created': 'user_id',
  'grade.recorded': 'user_id',
  'invoice.issued': 'user_id',
  'payment.received': 'user_id',
  'invoice.paid': 'user_id',
  'invoice.overdue': 'user_id',
  'invoice.voided': 'user_id',
  'payment.refunded': 'user_id',
  'absence.requested': 'user_id',
  'absence.approved': 'user_id',
  'absence.rejected': 'user_id',
};
