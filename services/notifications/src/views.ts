/** Rows → the public resource shapes the route schemas declare (RFC 3339 times, links, no secrets). */
import type { NotificationRow } from './repository/notifications.ts';
import type { BulkJobRow } from './repository/bulk.ts';
import type { TemplateRow } from './repository/templates.ts';
import type { AttemptRow, DeliveryRow, EndpointRow } from './repository/webhooks.ts';
import type { EmailRow } from './repository/emails.ts';
import { variablesOf } from './domain/templates.ts';

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

export function notificationView(n: NotificationRow) {
  return {
    id: n.id,
    user_id: n.user_id,
    sequence: n.seq,
    channel: n.channel,
    type: n.type,
    title: n.title,
    body: n.body,
    data: (n.data ?? null) as Record<string, unknown> | null,
    read: n.read_at !== null,
    read_at: isoOrNull(n.read_at),
    created_at: iso(n.created_at),
    links: { self: `/api/v1/notifications/${n.id}` },
  };
}

export function jobView(j: BulkJobRow) {
  return {
    id: j.id,
    status: j.status,
    channel: j.channel,
    total: j.total,
    sent: j.sent,
    failed: j.failed,
    skipped: j.skipped,
    role: j.role,
    template_id: j.template_id,
    created_by: j.created_by,
    created_at: iso(j.created_at),
    started_at: isoOrNull(j.started_at),
    completed_at: isoOrNull(j.completed_at),
    links: { self: `/api/v1/notifications/bulk/${j.id}` },
  };
}

export function templateView(t: TemplateRow) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    channel: t.channel,
    title: t.title,
    body: t.body,
    variables: variablesOf(t.title, t.body),
    created_by: t.created_by,
    created_at: iso(t.created_at),
    updated_at: iso(t.updated_at),
    links: {
      self: `/api/v1/notification-templates/${t.id}`,
      send: `/api/v1/notification-templates/${t.id}/send`,
    },
  };
}

export function webhookView(e: EndpointRow) {
  return {
    id: e.id,
    user_id: e.user_id,
    url: e.url,
    description: e.description,
    event_types: e.event_types,
    scope: e.scope,
    status: e.status,
    disabled_reason: e.disabled_reason,
    created_at: iso(e.created_at),
    updated_at: iso(e.updated_at),
    links: { self: `/api/v1/webhooks/${e.id}`, deliveries: `/api/v1/webhooks/${e.id}/deliveries` },
  };
}

export function attemptView(a: AttemptRow) {
  return {
    attempt: a.attempt,
    attempted_at: iso(a.attempted_at),
    duration_ms: a.duration_ms,
    status_code: a.status_code,
    error: a.error,
    outcome: a.outcome,
  };
}

export function deliveryView(d: DeliveryRow, attempts: readonly AttemptRow[]) {
  return {
    id: d.id,
    endpoint_id: d.endpoint_id,
    message_id: d.message_id,
    event_type: d.event_type,
    status: d.status,
    attempt_count: d.attempt_count,
    next_attempt_at: isoOrNull(d.next_attempt_at),
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    created_at: iso(d.created_at),
    completed_at: isoOrNull(d.completed_at),
    attempts: attempts.map(attemptView),
  };
}

export function emailView(e: EmailRow) {
  return {
    id: e.id,
    user_id: e.user_id,
    to: e.to_address,
    subject: e.subject,
    body: e.body,
    status: e.status,
    attempts: e.attempts,
    last_error: e.last_error,
    created_at: iso(e.created_at),
    sent_at: isoOrNull(e.sent_at),
  };
}
