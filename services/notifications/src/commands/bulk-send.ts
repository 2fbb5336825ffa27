/**
 * Bulk sends (admin, staff): a job whose recipients are fixed when it is created — the given
 * user ids, or every active user with a role in the users read model — sent by the bulk worker
 * in batches. Sending a template renders it first (a missing variable → 422 naming it).
 */
import { AppError, type Caller } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { render, type TemplateValue } from '../domain/templates.ts';
import { insertJob, type BulkJobRow } from '../repository/bulk.ts';
import { findTemplate } from '../repository/templates.ts';
import { activeUserIdsWithRole } from '../repository/users.ts';
import type { Channel } from '../tables.ts';

export interface BulkInput {
  user_ids?: string[] | undefined;
  role?: string | undefined;
  title: string;
  body: string;
  channel?: Channel | undefined;
}

/** Exactly one of `user_ids` and `role` (422 naming the one to drop or give). */
export async function queueBulkSend(deps: Deps, caller: Caller, b: BulkInput): Promise<BulkJobRow> {
  if ((b.user_ids === undefined) === (b.role === undefined)) {
    const field = b.user_ids === undefined ? 'user_ids' : 'role';
    throw AppError.validation([{ field, code: 'one_of', message: 'give exactly one of user_ids and role' }]);
  }
  const job = await deps.tx(async (trx) => {
    const ids = b.user_ids ?? (await activeUserIdsWithRole(trx, b.role!));
    return insertJob(
      trx,
      {
        created_by: caller.id,
        channel: b.channel ?? 'in_app',
        title: b.title,
        body: b.body,
        template_id: null,
        role: b.role ?? null,
      },
      ids,
    );
  });
  deps.context.bulk.nudge();
  return job;
}

export interface TemplateSendInput {
  user_ids: string[];
  variables?: Readonly<Record<string, TemplateValue>> | undefined;
}

export async function sendTemplate(
  deps: Deps,
  caller: Caller,
  templateId: string,
  input: TemplateSendInput,
): Promise<BulkJobRow> {
  const t = await findTemplate(deps.db, templateId);
  if (!t) throw AppError.notFound('Template');
  const variables = input.variables ?? {};
  const title = render(t.title, variables);
  const body = render(t.body, variables);
  const missing = [...new Set([...(title.ok ? [] : title.missing), ...(body.ok ? [] : body.missing)])];
  if (missing.length > 0 || !title.ok || !body.ok) {
    throw AppError.validation(
      missing.map((name) => ({
        field: `variables.${name}`,
        code: 'missing',
        message: `is used by the template as {{${name}}} but has no value`,
      })),
      `Missing template variable${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
    );
  }
  const job = await deps.tx((trx) =>
    insertJob(
      trx,
      {
        created_by: caller.id,
        channel: t.channel,
        title: title.text,
        body: body.text,
        template_id: t.id,
        role: null,
      },
      input.user_ids,
    ),
  );
  deps.context.bulk.nudge();
  return job;
}
