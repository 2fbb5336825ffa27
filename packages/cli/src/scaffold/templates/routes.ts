/** `src/routes/<plural>.ts`: schemas and thin handlers for the first resource. */
import type { Names } from '../names.ts';

export function routesTs(n: Names): string {
  const base = `/api/v1/${n.plural}`;
  return `/**
 * \`${base}\`: create, read and list the caller's own ${n.pluralWords}; another user's answers 404.
 * The TypeBox schemas validate input (a 422 names the field) and document the routes in OpenAPI;
 * handlers stay thin: parse → command or query → view.
 */
import { AppError, listPage, PageOf, PageQuery, Type, type ServiceApp } from '@portico/kit';
import { create${n.Singular} } from '../commands/create-${n.singular}.ts';
import { isOwner, requireUserId } from '../domain/ownership.ts';
import { find${n.Singular}, ownedBy } from '../repository/${n.plural}.ts';
import type { Deps } from '../events.ts';
import { public${n.Singular} } from '../views.ts';

const tags = ['${n.plural}'];
const Timestamp = Type.String({ format: 'date-time' });

export const ${n.Singular}Schema = Type.Object({
  id: Type.String(),
  owner_id: Type.String(),
  title: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String() }),
});

const Create${n.Singular}Body = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\\\S', description: 'Not blank; trimmed' }),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ListQuery = Type.Object({ ...PageQuery });

export function ${n.singularCamel}Routes(app: ServiceApp, deps: Deps): void {
  app.post(
    '${base}',
    {
      schema: {
        tags,
        summary: 'Create a ${n.singularWords} (owned by the caller)',
        body: Create${n.Singular}Body,
        response: { 201: ${n.Singular}Schema },
      },
    },
    async (req, reply) => {
      const row = await create${n.Singular}(deps, { caller: req.caller }, req.body);
      return reply.code(201).header('location', \`${base}/\${row.id}\`).send(public${n.Singular}(row));
    },
  );

  app.get(
    '${base}',
    {
      schema: {
        tags,
        summary: 'List your ${n.pluralWords}, newest first',
        querystring: ListQuery,
        response: { 200: PageOf(${n.Singular}Schema) },
      },
    },
    async (req, reply) =>
      listPage(
        reply,
        ownedBy(deps.db, requireUserId(req.caller)),
        { sort: 'created_at', direction: 'desc' },
        public${n.Singular},
      ),
  );

  app.get(
    '${base}/:id',
    {
      schema: { tags, summary: 'Read one of your ${n.pluralWords}', params: IdParams, response: { 200: ${n.Singular}Schema } },
    },
    async (req) => {
      const row = await find${n.Singular}(deps.db, req.params.id);
      if (!row || !isOwner(req.caller, row.owner_id)) throw AppError.notFound('${cap(n.singularWords)}');
      return public${n.Singular}(row);
    },
  );
}
`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
