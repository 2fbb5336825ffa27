/**
 * Consumes `access.denied` (published by the gateway and every service when they refuse a
 * caller) into the audit log. The kit's inbox makes redelivery harmless.
 */
import { defineConsumer, type AccessDeniedData, type ConsumerContext } from '@portico/kit';
import { IDENTITY_EVENTS } from '@portico/contracts';
import type { Deps } from './deps.ts';
import { appendAudit } from './repository/audit-log.ts';

export const accessDeniedConsumer = defineConsumer({
  name: 'audit-access-denied',
  types: [IDENTITY_EVENTS.accessDenied],
  async handle(event, { trx }: ConsumerContext<Deps>) {
    // Anyone on the bus may publish it: every field is checked as if absent or malformed.
    const d: Partial<AccessDeniedData> = event.data;
    const clip = (v: unknown, n: number) => (typeof v === 'string' ? v.slice(0, n) : null);
    await appendAudit(
      trx,
      {
        actor_id: clip(d.actor_id, 64),
        action: 'access.denied',
        target: clip(d.path, 512),
        outcome: 'denied',
        time: Number.isNaN(Date.parse(event.time)) ? new Date() : new Date(event.time),
        details: {
          method: clip(d.method, 16),
          path: clip(d.path, 512),
          status: d.status ?? null,
          reason: clip(d.reason, 200),
          source: clip(d.source ?? event.source, 64),
          event_id: event.id,
        },
      },
      { ip: clip(d.ip, 64), user_agent: clip(d.user_agent, 512), request_id: clip(d.request_id, 128) ?? '' },
    );
  },
});
