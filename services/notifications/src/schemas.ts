/** Request and response schemas (TypeBox): validation, types and OpenAPI from one place. */
import { Type } from '@portico/kit';
import { ROLES } from '@portico/contracts';
import { NOTIFYING_EVENTS } from './domain/event-messages.ts';

const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const Id = Type.String({ minLength: 1, maxLength: 200 });

export const ChannelSchema = Type.Enum(['in_app', 'email', 'webhook'], {
  description: 'in_app (inbox and live stream), email, or webhook',
});

export const IdParams = Type.Object({ id: Type.String({ maxLength: 200 }) });

export const NotificationSchema = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  sequence: Type.Integer({ description: "Position in the user's stream (the SSE event id)" }),
  channel: ChannelSchema,
  type: Type.String({
    description: 'The event type it came from (`order.confirmed`), or `message` when sent by staff',
  }),
  title: Type.String(),
  body: Type.String(),
  data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  read: Type.Boolean(),
  read_at: NullableDateTime,
  created_at: DateTime,
  links: Type.Object({ self: Type.String() }),
});

export const ListNotificationsQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, 1–100' }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from `next_cursor`' })),
  unread: Type.Optional(Type.Boolean({ description: 'true: only unread; false: only read' })),
  channel: Type.Optional(ChannelSchema),
  type: Type.Optional(Type.String({ maxLength: 100 })),
  user_id: Type.Optional(
    Type.String({ maxLength: 200, description: 'Admin and staff: another user’s notifications' }),
  ),
});

const Title = Type.String({ minLength: 1, maxLength: 200 });
const Body = Type.String({ minLength: 1, maxLength: 10_000 });

export const SendBody = Type.Object({
  user_id: Id,
  title: Title,
  body: Body,
  channel: Type.Optional(ChannelSchema),
});

export const BulkBody = Type.Object({
  user_ids: Type.Optional(
    Type.Array(Id, { minItems: 1, maxItems: 10_000, description: 'Recipients (or `role`)' }),
  ),
  role: Type.Optional(
    Type.Enum([...ROLES], { description: 'Every active user with this role (or `user_ids`)' }),
  ),
  title: Title,
  body: Body,
  channel: Type.Optional(ChannelSchema),
});

export const BulkJobSchema = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed')]),
  channel: ChannelSchema,
  total: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer({ description: 'Recipients who turned the channel off' }),
  role: Type.Union([Type.String(), Type.Null()]),
  template_id: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  started_at: NullableDateTime,
  completed_at: NullableDateTime,
  links: Type.Object({ self: Type.String() }),
});

export const PreferencesSchema = Type.Object({
  in_app: Type.Boolean(),
  email: Type.Boolean(),
  webhook: Type.Boolean(),
  updated_at: NullableDateTime,
});

export const PreferencesBody = Type.Object({
  in_app: Type.Boolean(),
  email: Type.Boolean(),
  webhook: Type.Boolean(),
});

const TemplateName = Type.String({ minLength: 1, maxLength: 100 });
const TemplateDescription = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()]);

export const TemplateSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  channel: ChannelSchema,
  title: Type.String(),
  body: Type.String(),
  variables: Type.Array(Type.String(), { description: 'The {{placeholders}} used by title and body' }),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  updated_at: DateTime,
  links: Type.Object({ self: Type.String(), send: Type.String() }),
});

export const TemplateCreateBody = Type.Object({
  name: TemplateName,
  description: Type.Optional(TemplateDescription),
  channel: Type.Optional(ChannelSchema),
  title: Title,
  body: Body,
});

export const TemplatePatchBody = Type.Object({
  name: Type.Optional(TemplateName),
  description: Type.Optional(TemplateDescription),
  channel: Type.Optional(ChannelSchema),
  title: Type.Optional(Title),
  body: Type.Optional(Body),
});

export const TemplateSendBody = Type.Object({
  user_ids: Type.Array(Id, { minItems: 1, maxItems: 10_000 }),
  variables: Type.Optional(
    Type.Record(
      Type.String({ maxLength: 100 }),
      Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Boolean()]),
    ),
  ),
});

/** Event types an endpoint may subscribe to; `*` means every one of them. */
export const WEBHOOK_EVENT_TYPES = [...NOTIFYING_EVENTS, 'notification.sent'] as const;
const EventType = Type.Enum(['*', ...WEBHOOK_EVENT_TYPES]);

export const WebhookSchema = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  url: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  event_types: Type.Array(Type.String()),
  scope: Type.Union([Type.Literal('own'), Type.Literal('all')], {
    description: 'own: events about the owner; all: every event (endpoints of admins)',
  }),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  disabled_reason: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  updated_at: DateTime,
  links: Type.Object({ self: Type.String(), deliveries: Type.String() }),
});

export const WebhookCreatedSchema = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({ description: 'whsec_… signing secret; shown only in this response' }),
});

const Url = Type.String({ minLength: 1, maxLength: 2048 });
const EventTypes = Type.Array(EventType, { minItems: 1, maxItems: 50, uniqueItems: true });

export const WebhookCreateBody = Type.Object({
  url: Url,
  event_types: EventTypes,
  description: Type.Optional(TemplateDescription),
});

export const WebhookPatchBody = Type.Object({
  url: Type.Optional(Url),
  event_types: Type.Optional(EventTypes),
  description: Type.Optional(TemplateDescription),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
});

export const AttemptSchema = Type.Object({
  attempt: Type.Integer(),
  attempted_at: DateTime,
  duration_ms: Type.Integer(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
});

export const DeliverySchema = Type.Object({
  id: Type.String(),
  endpoint_id: Type.String(),
  message_id: Type.String({ description: 'The webhook-id header; the same on every retry' }),
  event_type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempt_count: Type.Integer(),
  next_attempt_at: NullableDateTime,
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  completed_at: NullableDateTime,
  attempts: Type.Array(AttemptSchema),
});

export const DeliveryParams = Type.Object({
  id: Type.String({ maxLength: 200 }),
  delivery_id: Type.String({ maxLength: 200 }),
});

export const EmailSchema = Type.Object({
  id: Type.String(),
  user_id: Type.Union([Type.String(), Type.Null()]),
  to: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('sent'),
    Type.Literal('failed'),
    Type.Literal('kept'),
  ]),
  attempts: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  sent_at: NullableDateTime,
});
