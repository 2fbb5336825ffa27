/**
 * The inbox: list (newest first, `unread` filter, cursor pages), get, read, read all, delete —
 * each person sees only their own (others' answer 404); admin and staff may read anyone's —
 * and the staff send to one user. Static paths (`read-all`, `stream`, `preferences`, `bulk`,
 * `dev-mailbox`) are matched before `{id}` by the router, so none is shadowed.
 */
import {
  AppError,
  can,
  mapPage,
  PageOf,
  paginate,
  scopeOf,
  sendPage,
  Type,
  requireUserId,
} from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import { sendMessage } from '../commands/send-message.ts';
import type { Deps } from '../deps.ts';
import {
  deleteNotification,
  findNotification,
  listQuery,
  markAllRead,
  markRead,
} from '../repository/notifications.ts';
import { notificationView } from '../views.ts';
import {
  Body,
  ChannelSchema,
  DateTime,
  Id,
  IdParams,
  NullableDateTime,
  requireAllScope,
  Title,
} from './common.ts';

const tags = ['notifications'];

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

const ListNotificationsQuery = Type.Object({
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

const SendBody = Type.Object({
  user_id: Id,
  title: Title,
  body: Body,
  channel: Type.Optional(ChannelSchema),
});

export function notificationRoutes(app: ServiceApp, deps: Deps): void {
  app.get(
    '/api/v1/notifications',
    {
      config: { permission: 'notifications:read' },
      schema: {
        tags,
        summary: 'List my notifications, newest first',
        querystring: ListNotificationsQuery,
        response: { 200: PageOf(NotificationSchema) },
      },
    },
    async (req, reply) => {
      const me = requireUserId(req);
      const q = req.query;
      // Own scope: always my inbox. Admin and staff may look at someone else's with `user_id`.
      const userId =
        q.user_id !== undefined && scopeOf(req.caller, 'notifications:read') === 'all' ? q.user_id : me;
      if (q.user_id !== undefined && q.user_id !== userId) {
        return sendPage(reply, { data: [], has_more: false, next_cursor: null });
      }
      const page = await paginate(
        listQuery(deps.db, { userId, unread: q.unread, channel: q.channel, type: q.type }),
        {
          limit: q.limit,
          cursor: q.cursor,
          sort: 'created_at',
          direction: 'desc',
        },
      );
      return sendPage(reply, mapPage(page, notificationView));
    },
  );

  app.post(
    '/api/v1/notifications/read-all',
    {
      config: { permission: 'notifications:update' },
      schema: {
        tags,
        summary: 'Mark all my notifications read',
        response: { 200: Type.Object({ updated: Type.Integer() }) },
      },
    },
    async (req) => ({ updated: await markAllRead(deps.db, requireUserId(req)) }),
  );

  app.get(
    '/api/v1/notifications/:id',
    {
      config: { permission: 'notifications:read' },
      schema: { tags, summary: 'One notification', params: IdParams, response: { 200: NotificationSchema } },
    },
    async (req) => {
      const n = await findNotification(deps.db, req.params.id);
      if (!n || !can(req.caller, 'notifications:read', { ownerId: n.user_id }))
        throw AppError.notFound('Notification');
      return notificationView(n);
    },
  );

  app.post(
    '/api/v1/notifications/:id/read',
    {
      config: { permission: 'notifications:update' },
      schema: {
        tags,
        summary: 'Mark a notification read',
        params: IdParams,
        response: { 200: NotificationSchema },
      },
    },
    async (req) => {
      const n = await findNotification(deps.db, req.params.id);
      if (!n || !can(req.caller, 'notifications:update', { ownerId: n.user_id }))
        throw AppError.notFound('Notification');
      const updated = await markRead(deps.db, n.id);
      if (!updated) throw AppError.notFound('Notification');
      return notificationView(updated);
    },
  );

  app.delete(
    '/api/v1/notifications/:id',
    {
      config: { permission: 'notifications:delete' },
      schema: { tags, summary: 'Delete a notification', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      const n = await findNotification(deps.db, req.params.id);
      if (!n || !can(req.caller, 'notifications:delete', { ownerId: n.user_id }))
        throw AppError.notFound('Notification');
      await deleteNotification(deps.db, n.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/notifications',
    {
      config: { permission: 'notifications:send' },
      schema: {
        tags,
        summary: 'Send a notification to a user (admin, staff)',
        description: 'A channel the user turned off answers 422 `channel_disabled`.',
        body: SendBody,
        response: { 201: NotificationSchema },
      },
    },
    async (req, reply) => {
      requireAllScope(req, 'notifications:send');
      const n = await sendMessage(deps, req.body);
      return reply.code(201).header('location', `/api/v1/notifications/${n.id}`).send(notificationView(n));
    },
  );
}
