/**
 * The notification stream over a WebSocket (RFC 6455), for clients that prefer one to SSE:
 * each notification is a text message `{"type":"notification","id":"<seq>","data":{…}}`, the
 * heartbeat a ping frame (answered by the client's stack with a pong), the end a close frame
 * 1001 ("going away", RFC 6455 §7.4.1). Resuming works as for SSE with `?last_event_id=`.
 */
import { WebSocket } from 'ws';
import type { StreamChannel } from './sse.ts';

export function socketChannel(socket: WebSocket): StreamChannel {
  const send = (text: string) =>
    new Promise<void>((resolve) => {
      if (socket.readyState !== WebSocket.OPEN) return resolve();
      // Resolved once the frame is written to the socket: a slow client slows its own stream.
      socket.send(text, () => resolve());
    });
  return {
    open() {},
    event: (seq, json) => send(`{"type":"notification","id":"${seq}","data":${json}}`),
    async heartbeat() {
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    },
    end() {
      if (socket.readyState === WebSocket.OPEN) socket.close(1001, 'stream closed');
    },
  };
}
