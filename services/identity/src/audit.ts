/**
 * The audit log writer. Entries are appended in the caller's transaction (so an action and its
 * audit entry commit together); the table refuses UPDATE, DELETE and TRUNCATE (migration 001).
 * `details` is scrubbed of anything that looks like a credential before it is stored: the log
 * never holds a password or a token, whoever calls this.
 */
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { RequestFacts } from './request-facts.ts';

/** Every action the audit log records (README "Audit actions"). */
export const AUDIT_ACTIONS = [
  'user.registered',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.roles_changed',
  'auth.login',
  'auth.logout',
  'auth.refresh',
  'auth.refresh_token_reused',
  'auth.password_changed',
  'api_key.created',
  'api_key.revoked',
  'signing_key.rotated',
  'admin.bootstrapped',
  'access.denied',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  actor_id: string | null;
  action: AuditAction;
  target?: string | null;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  time?: Date;
}

const SECRET_KEY =
  /^(password|current_password|new_password|password_hash|token|access_token|refresh_token|secret|key|authorization|x-api-key)$/i;

/** Drops credential-like members at any depth. */
export function scrubDetails(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubDetails);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET_KEY.test(k)) out[k] = scrubDetails(v);
    return out;
  }
  return value;
}

export async function appendAudit(
  db: Kysely<any>,
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
      details: JSON.stringify(scrubDetails(entry.details ?? {})),
    })
    .execute();
}
