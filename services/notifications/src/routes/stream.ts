/**
 * `GET /api/v1/notifications/stream`: Server-Sent Events of the caller's new notifications.
 * `Last-Event-ID` (or `?last_event_id=`, for clients that cannot set headers) resumes after that
 * sequence number; without it the stream starts with what arrives from now on.
 */
import { AppError, Type, requireUserId } from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import { SseStream } from '../delivery/sse.ts';
import { latestSeq, notificationsAfter } from '../repository/notifications.ts';
import { notificationView } from '../views.ts';
import type { Deps } from '../deps.ts';
import {} from './common.ts';

const EVENT_ID = /^\d{1,15}$/;

export function streamRoutes(app: ServiceApp, deps: Deps): void {
  const replica = deps.context;

  app.get(
    '/api/v1/notifications/stream',
    {
      config: { permission: 'notifications:read' },
      schema: {
        tags: ['notifications'],
        summary: 'Live stream of my new notifications (Server-Sent Events)',
        description:
          'Each event is `event: notification`, `id: <sequence>`, `data: <notification JSON>`. Reconnect with `Last-Event-ID` to receive what was missed. Comment lines are sent as heartbeats.',
        querystring: Type.Object({ last_event_id: Type.Optional(Type.String({ maxLength: 20 })) }),
        response: {
          200: {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
        },
      },
    },
    async (req, reply) => {
      const userId = requireUserId(req);
      const header = req.headers['last-event-id'];
      const raw = (Array.isArray(header) ? header[0] : header) ?? req.query.last_event_id;
      if (raw !== undefined && raw !== '' && !EVENT_ID.test(raw.trim())) {
        throw AppError.validation([
          { field: 'Last-Event-ID', code: 'invalid_format', message: 'must be an event id this stream sent' },
        ]);
      }
      const lastSeq = raw !== undefined && raw !== '' ? Number(raw.trim()) : await latestSeq(deps.db, userId);

      reply.hijack();
      const res = reply.raw;
      res.setHeader('x-request-id', String(req.id));
      const stream = new SseStream({
        userId,
        res,
        lastSeq,
        heartbeatMs: deps.settings.PORTICO_SSE_HEARTBEAT_MS,
        fetchAfter: (user, seq, limit) => notificationsAfter(deps.db, user, seq, limit),
        format: notificationView,
        log: deps.log,
      });
      replica.hub.add(stream);
      res.on('close', () => {
        replica.hub.remove(stream);
        stream.close();
      });
      stream.start();
    },
  );
}
