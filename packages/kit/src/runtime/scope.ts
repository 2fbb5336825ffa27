/**
 * The work in hand — an HTTP request or a consumed event — kept in AsyncLocalStorage, so an
 * event published while handling it carries its trace (`traceparent`) without it being passed
 * by hand, and a consumer knows whether its handler published (to wake the outbox relay).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RowPrecondition } from '../db/row-versions.ts';

export interface WorkScope {
  /** W3C traceparent of the request or event being handled. */
  readonly traceparent?: string | undefined;
  /** Set when an event was written to the outbox during this work. */
  published: boolean;
  /** A write request's `If-Match` for the row it addresses (http/conditional.ts). */
  precondition?: RowPrecondition;
}

const storage = new AsyncLocalStorage<WorkScope>();

/** Runs `fn` (and everything it awaits) in a fresh scope. */
export function runInScope<T>(traceparent: string | undefined, fn: () => T): T {
  return storage.run({ traceparent, published: false }, fn);
}

/** The scope of the work in hand, if any. */
export function currentScope(): WorkScope | undefined {
  return storage.getStore();
}

/** The traceparent of the request or event in hand, if any. */
export function currentTraceparent(): string | undefined {
  return storage.getStore()?.traceparent;
}
