/**
 * `/api/v1/categories`: each user's own task categories `{name, color}`. Names are unique per
 * user ignoring case (409), colours are `#RRGGBB` (422), and another user's category answers
 * 404 (an admin may read and change any).
 */
import { AppError, can, PageOf, scopeOf, Type, type Caller, type ServiceApp, listPage } from '@portico/kit';
import type { Deps } from '../events.ts';
import { uuidv7 } from 'uuidv7';
import {
  categoriesOf,
  deleteCategory,
  findCategory,
  insertCategory,
  updateCategory,
} from '../category-repository.ts';
import { taskEventData } from '../events.ts';
import { publicCategory } from '../presenters.ts';
import { actorId } from '../task-commands.ts';
import { clearCategory } from '../task-repository.ts';
import {
  CategoryListQuery,
  CategorySchema,
  CreateCategoryBody,
  IdParams,
  UpdateCategoryBody,
} from '../schemas.ts';
import type { CategoryRow } from '../tables.ts';

const tags = ['categories'];

export function categoryRoutes(app: ServiceApp, deps: Deps): void {
  const load = async (caller: Caller, id: string, permission: string): Promise<CategoryRow> => {
    const row = await findCategory(deps.db, id);
    if (!row || !can(caller, permission, { ownerId: row.owner_id })) throw AppError.notFound('Category');
    return row;
  };

  app.post(
    '/api/v1/categories',
    {
      config: { permission: 'categories:create' },
      schema: {
        tags,
        summary: 'Create a category',
        body: CreateCategoryBody,
        response: { 201: CategorySchema },
      },
    },
    async (req, reply) => {
      const row = await insertCategory(deps.db, {
        id: uuidv7(),
        owner_id: actorId(req.caller),
        name: req.body.name.trim(),
        color: req.body.color,
      });
      return reply.code(201).header('location', `/api/v1/categories/${row.id}`).send(publicCategory(row));
    },
  );

  app.get(
    '/api/v1/categories',
    {
      config: { permission: 'categories:read' },
      schema: {
        tags,
        summary: 'List your categories (by name)',
        querystring: CategoryListQuery,
        response: { 200: PageOf(CategorySchema) },
      },
    },
    async (req, reply) => {
      const owner = req.query.owner_id ?? actorId(req.caller);
      // `owner_id` is an admin's lens on another user; anyone else sees only their own, so
      // naming someone else's id yields an empty list (never a hint that they exist).
      if (owner !== req.caller.id && scopeOf(req.caller, 'categories:read') !== 'all') {
        return { data: [], has_more: false, next_cursor: null };
      }
      return listPage(
        reply,
        categoriesOf(deps.db, owner),
        { sort: 'name', direction: 'asc' },
        publicCategory,
      );
    },
  );

  app.get(
    '/api/v1/categories/:id',
    {
      config: { permission: 'categories:read' },
      schema: { tags, summary: 'Read a category', params: IdParams, response: { 200: CategorySchema } },
    },
    async (req) => publicCategory(await load(req.caller, req.params.id, 'categories:read')),
  );

  app.patch(
    '/api/v1/categories/:id',
    {
      config: { permission: 'categories:update' },
      schema: {
        tags,
        summary: 'Rename or recolour a category',
        params: IdParams,
        body: UpdateCategoryBody,
        response: { 200: CategorySchema },
      },
    },
    async (req) => {
      const row = await load(req.caller, req.params.id, 'categories:update');
      const patch: { name?: string; color?: string } = {};
      if (req.body.name !== undefined) patch.name = req.body.name.trim();
      if (req.body.color !== undefined) patch.color = req.body.color;
      return publicCategory(await updateCategory(deps.db, row.id, patch, new Date()));
    },
  );

  app.delete(
    '/api/v1/categories/:id',
    {
      config: { permission: 'categories:delete' },
      schema: {
        tags,
        summary: 'Delete a category; its tasks keep going without one',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const row = await load(req.caller, req.params.id, 'categories:delete');
      await deps.tx(async (trx) => {
        // Tasks lose the category; each change is a task.updated like any other.
        for (const task of await clearCategory(trx, row.id, new Date())) {
          await deps.publish(
            trx,
            'task.updated',
            taskEventData(task, req.caller.id, { changes: ['category_id'] }),
            { subject: task.id },
          );
        }
        await deleteCategory(trx, row.id);
      });
      return reply.code(204).send(null);
    },
  );
}
