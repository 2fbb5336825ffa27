/**
 * WebSocket tickets: browsers cannot set headers on a WebSocket handshake, and a bearer token in
 * a URL ends up in logs. A signed-in client asks `POST /api/v1/ws-tickets` for a ticket (random,
 * 256 bits, single use, `websockets.ticket_ttl`, 30 s by default) and opens
 * `wss://…/route?ticket=…`. The store keeps, under a hash of the ticket, the credential the
 * ticket was issued for and the client address; redeeming takes it out (one use, on any replica
 * with Redis) and the handshake is then authenticated with that credential exactly as if it had
 * been sent in `Authorization` — denylist included, so a ticket of a revoked session is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { GatewayStore } from '../store/store.ts';

interface TicketValue {
  /** The `Authorization` value the ticket stands for. */
  authorization: string;
  ip: string;
}

const storeKey = (ticket: string) => createHash('sha256').update(ticket).digest('base64url');
const TICKET = /^[A-Za-z0-9_-]{43}$/;

export async function issueTicket(
  store: GatewayStore,
  authorization: string,
  ip: string,
  ttlMs: number,
): Promise<string> {
  const ticket = randomBytes(32).toString('base64url');
  await store.ticketPut(storeKey(ticket), JSON.stringify({ authorization, ip } satisfies TicketValue), ttlMs);
  return ticket;
}

/** The `Authorization` value of a live ticket taken from `ip`, or null (unknown, used, expired, elsewhere). */
export async function redeemTicket(store: GatewayStore, ticket: string, ip: string): Promise<string | null> {
  if (!TICKET.test(ticket)) return null;
  const raw = await store.ticketTake(storeKey(ticket));
  if (raw === null) return null;
  const v = JSON.parse(raw) as TicketValue;
  // Bound to the address it was issued to: a ticket read from a log elsewhere is worthless.
  return v.ip === ip ? v.authorization : null;
}

/** The `ticket` query parameter, and the query without it (what goes upstream). */
export function takeTicketParam(query: string): { ticket: string | null; rest: string } {
  if (query === '' || !query.includes('ticket=')) return { ticket: null, rest: query };
  const params = new URLSearchParams(query.slice(1));
  const ticket = params.get('ticket');
  params.delete('ticket');
  const rest = params.toString();
  return { ticket, rest: rest === '' ? '' : `?${rest}` };
}
