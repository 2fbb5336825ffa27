/**
 * `GET /api/v1/notifications/stream`: the caller's new notifications, live — as Server-Sent
 * Events, or over a WebSocket when the request asks to upgrade (`@fastify/websocket`: the same
 * route, the same hooks, so the passport and the permission are checked before the upgrade is
 * accepted). `Last-Event-ID` (or `?last_event_id=`, for clients that cannot set headers) resumes
 * after that sequence number; without it the stream starts with what arrives from now on.
 */
import websocket from '@fastify/websocket';
import { AppError, Type, requireUserId } from '@portico/kit';
import type { FastifyRequest } from 'fastify';
import type { ServiceApp } from '@portico/kit';
import { NotificationStream, sseChannel, type StreamChannel } from '../delivery/sse.ts';
import { socketChannel } from '../delivery/socket.ts';
import { latestSeq, notificationsAfter } from '../repository/notifications.ts';
import { notificationView } from '../views.ts';
import type { Deps } from '../deps.ts';
import {} from './common.ts';

const EVENT_ID = /^\d{1,15}$/;
const LAST_EVENT_ID_ERROR = {
  field: 'Last-Event-ID',
  code: 'invalid_format',
  message: 'must be an event id this stream sent',
};

/** The `Last-Event-ID` a client resumes after: undefined for none, null when malformed. */
function resumeAfter(req: FastifyRequest): string | undefined | null {
  const header = req.headers['last-event-id'];
  const raw =
    (Array.isArray(header) ? header[0] : header) ?? (req.query as { last_event_id?: string }).last_event_id;
  if (raw === undefined || raw === '') return undefined;
  return EVENT_ID.test(raw.trim()) ? raw.trim() : null;
}

export function streamRoutes(app: ServiceApp, deps: Deps): void {
  const replica = deps.context;

  const open = async (req: FastifyRequest, channel: StreamChannel, onClose: (fn: () => void) => void) => {
    const userId = requireUserId(req);
    const raw = resumeAfter(req);
    const lastSeq = raw ? Number(raw) : await latestSeq(deps.db, userId);
    const stream = new NotificationStream({
      userId,
      channel,
      lastSeq,
      heartbeatMs: deps.settings.PORTICO_SSE_HEARTBEAT_MS,
      fetchAfter: (user, seq, limit) => notificationsAfter(deps.db, user, seq, limit),
      format: notificationView,
      log: deps.log,
    });
    replica.hub.add(stream);
    onClose(() => {
      replica.hub.remove(stream);
      stream.close();
    });
    stream.start();
  };

  // Streams end on shutdown through the replica's hub; the plugin need not wait for its clients.
  void app.register(websocket, { options: { perMessageDeflate: false, maxPayload: 64 * 1024 } });
  void app.register(async (scoped) => {
    scoped.route({
      method: 'GET',
      url: '/api/v1/notifications/stream',
      config: { permission: 'notifications:read' },
      schema: {
        tags: ['notifications'],
        summary: 'Live stream of my new notifications (Server-Sent Events, or a WebSocket)',
        description:
          'Each event is `event: notification`, `id: <sequence>`, `data: <notification JSON>`. Reconnect with `Last-Event-ID` to receive what was missed. Comment lines are sent as heartbeats. With `Upgrade: websocket` the same stream arrives as text messages `{"type":"notification","id":"<sequence>","data":{…}}`, heartbeats as ping frames.',
        querystring: Type.Object({ last_event_id: Type.Optional(Type.String({ maxLength: 20 })) }),
        response: {
          200: {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
        },
      },
      handler: async (req, reply) => {
        if (resumeAfter(req) === null) throw AppError.validation([LAST_EVENT_ID_ERROR]);
        reply.hijack();
        const res = reply.raw;
        res.setHeader('x-request-id', String(req.id));
        await open(req, sseChannel(res), (fn) => res.on('close', fn));
      },
      wsHandler: async (socket, req) => {
        // The upgrade is accepted by now: a malformed id can only close the socket (1008).
        if (resumeAfter(req) === null) return socket.close(1008, 'last_event_id is not an event id');
        await open(req, socketChannel(socket), (fn) => socket.on('close', fn));
      },
    });
  });
}
