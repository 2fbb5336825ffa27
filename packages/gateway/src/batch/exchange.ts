/**
 * One batch operation as the request path sees it: a request (`OperationRequest`) and a
 * response that is captured instead of sent (`CapturedResponse`). The pipeline's steps read the
 * request and write the response through the same few members they use on a `node:http`
 * exchange (headers, raw headers, body stream, socket address; writeHead/write/end/destroy), so
 * an operation runs through exactly the steps a request sent alone runs through. They are not
 * built from `node:http`'s own classes, which would parse and frame bytes on a socket: there is
 * no socket here, only the batch's.
 *
 * The operation's socket stands in for the batch's connection: it has the client's address
 * (rate limits, passports and the audit log see the real client) and closes when that
 * connection closes, which cancels the operation's upstream exchange as it would a request's.
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Operation } from './operations.ts';

/** What the pipeline reads of a socket: the peer address, TLS or not, `close`. */
class OperationSocket extends EventEmitter {
  readonly remoteAddress: string | undefined;

  constructor(parent: Socket) {
    super();
    this.remoteAddress = parent.remoteAddress;
    // `'encrypted' in socket` tells X-Forwarded-Proto https from http.
    if ('encrypted' in parent) Object.defineProperty(this, 'encrypted', { value: true, enumerable: true });
    const close = () => this.emit('close');
    parent.once('close', close);
    this.once('close', () => parent.off('close', close));
  }
}

export class OperationRequest extends Readable {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly socket: Socket;
  readonly httpVersion = '1.1';

  constructor(parentSocket: Socket, op: Operation, headers: Record<string, string>) {
    super();
    this.method = op.method;
    this.url = op.path;
    this.headers = headers;
    this.rawHeaders = Object.entries(headers).flat();
    this.socket = new OperationSocket(parentSocket) as unknown as Socket;
    if (op.body !== null) this.push(op.body);
    this.push(null);
  }

  override _read(): void {}

  /** The operation is over (or must stop): its upstream exchange, if any, is cancelled. */
  finish(): void {
    this.socket.emit('close');
  }
}

export interface CapturedAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  /** The body passed the batch's per-operation limit, or was an event stream: cut off. */
  truncated: 'too_large' | 'event_stream' | null;
}

/** The members of `ServerResponse` the pipeline uses, writing into memory. */
export class CapturedResponse extends EventEmitter {
  readonly req: IncomingMessage;
  readonly done: Promise<CapturedAnswer>;
  headersSent = false;
  destroyed = false;
  #status = 0;
  #headers: OutgoingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #size = 0;
  #limit: number;
  #truncated: CapturedAnswer['truncated'] = null;
  #resolve!: (a: CapturedAnswer) => void;

  constructor(req: OperationRequest, limit: number) {
    super();
    this.req = req as unknown as IncomingMessage;
    this.#limit = limit;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  writeHead(status: number, headers: OutgoingHttpHeaders = {}): this {
    this.#status = status;
    this.#headers = headers;
    this.headersSent = true;
    const type = headers['content-type'];
    // An event stream never ends: an operation cannot wait for it.
    if (typeof type === 'string' && type.startsWith('text/event-stream')) this.#cut('event_stream');
    return this;
  }

  flushHeaders(): void {}

  write(chunk: Buffer | string): boolean {
    if (this.destroyed) return false;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#size += buf.length;
    if (this.#size > this.#limit) {
      this.#cut('too_large');
      return false;
    }
    this.#chunks.push(buf);
    return true;
  }

  end(chunk?: Buffer | string): this {
    if (chunk !== undefined) this.write(chunk);
    this.#settle();
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    this.#settle();
    return this;
  }

  #cut(why: 'too_large' | 'event_stream'): void {
    this.#truncated = why;
    this.destroyed = true;
    (this.req as unknown as OperationRequest).finish();
    this.#settle();
  }

  #settle(): void {
    this.destroyed = true;
    this.#resolve({
      status: this.#status || 502,
      headers: this.#headers,
      body: Buffer.concat(this.#chunks),
      truncated: this.#truncated,
    });
  }
}
