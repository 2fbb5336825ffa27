/**
 * SQL for the audit log. Entries are appended in the caller's transaction (so an action and its
 * audit entry commit together); the table refuses UPDATE, DELETE and TRUNCATE (migration 001).
 */
import { jsonb } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Db } from '../deps.ts';
import type { AuditDetails } from '../tables.ts';
import { scrubDetails, type AuditEntry, type AuditOutcome, type RequestFacts } from '../domain/audit.ts';

export async function appendAudit(
  db: Db,
  entry: AuditEntry,
  facts: Partial<RequestFacts> = {},
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: uuidv7(),
      time: entry.time ?? new Date(),
      actor_id: entry.actor_id,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      ip: facts.ip ?? null,
      user_agent: facts.user_agent ?? null,
      request_id: facts.request_id ?? null,
      details: jsonb(scrubDetails(entry.details ?? {}) as AuditDetails),
    })
    .execute();
}

export interface AuditFilter {
  actor_id?: string | undefined;
  action?: string | undefined;
  outcome?: AuditOutcome | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** The entries matching `filter` (for keyset paging, newest first, by the caller). */
export function auditLogQuery(db: Db, filter: AuditFilter) {
  let q = db.selectFrom('audit_log').selectAll();
  if (filter.actor_id) q = q.where('actor_id', '=', filter.actor_id);
  if (filter.action) q = q.where('action', '=', filter.action);
  if (filter.outcome) q = q.where('outcome', '=', filter.outcome);
  if (filter.from) q = q.where('time', '>=', new Date(filter.from));
  if (filter.to) q = q.where('time', '<', new Date(filter.to));
  return q;
}
