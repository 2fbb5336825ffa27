/**
 * Creating and changing notification templates: `{{name}}` placeholders must be well formed
 * (422 naming `title` or `body`), and names are unique (409 naming `name`).
 */
import { AppError, uniqueViolation, type Caller, type FieldError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { syntaxError } from '../domain/templates.ts';
import { insertTemplate, updateTemplate, type TemplateRow } from '../repository/templates.ts';
import type { Channel } from '../tables.ts';

export interface TemplateInput {
  name: string;
  description?: string | null | undefined;
  channel?: Channel | undefined;
  title: string;
  body: string;
}

function checkSyntax(fields: { title?: string | undefined; body?: string | undefined }): void {
  const errors: FieldError[] = [];
  for (const [field, text] of Object.entries(fields)) {
    const problem = text === undefined ? null : syntaxError(text);
    if (problem) errors.push({ field, code: 'template_syntax', message: problem });
  }
  if (errors.length) throw AppError.validation(errors);
}

const nameTaken = (name: string) =>
  new AppError('already_exists', `A template named ${name} already exists`, {
    errors: [{ field: 'name', code: 'already_exists', message: 'is taken' }],
  });

/** Runs a write; a unique violation (the template name) becomes 409 naming `name`. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (uniqueViolation(err) !== undefined) throw nameTaken(name);
    throw err;
  }
}

export async function createTemplate(deps: Deps, caller: Caller, b: TemplateInput): Promise<TemplateRow> {
  checkSyntax({ title: b.title, body: b.body });
  return uniqueName(b.name, () =>
    insertTemplate(deps.db, {
      name: b.name,
      description: b.description ?? null,
      channel: b.channel ?? 'in_app',
      title: b.title,
      body: b.body,
      created_by: caller.id,
    }),
  );
}

export async function changeTemplate(
  deps: Deps,
  id: string,
  b: Partial<TemplateInput>,
): Promise<TemplateRow> {
  checkSyntax({ title: b.title, body: b.body });
  const t = await uniqueName(b.name ?? '', () =>
    updateTemplate(deps.db, id, {
      ...(b.name !== undefined && { name: b.name }),
      ...(b.description !== undefined && { description: b.description }),
      ...(b.channel !== undefined && { channel: b.channel }),
      ...(b.title !== undefined && { title: b.title }),
      ...(b.body !== undefined && { body: b.body }),
    }),
  );
  if (!t) throw AppError.notFound('Template');
  return t;
}
