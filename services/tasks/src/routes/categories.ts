/**
 * `/api/v1/categories`: each user's own task categories `{name, color}`. Names are unique per
 * user ignoring case (409), colours are `#RRGGBB` (422), and another user's category answers
 * 404 (an admin may read and change any).
 */
import { listPage, PageOf, PageQuery, scopeOf, Type, type ServiceApp } from '@portico/kit';
import { actorId } from '../commands/actor.ts';
import { changeCategory, createCategory, loadCategoryFor, removeCategory } from '../commands/categories.ts';
import type { Deps } from '../deps.ts';
import { categoriesOf } from '../repository/categories.ts';
import { publicCategory } from '../views.ts';
import { IdParams, Timestamp } from './common.ts';

const tags = ['categories'];

const CategoryName = Type.String({
  minLength: 1,
  maxLength: 60,
  pattern: '\\S',
  description: 'Unique per user, ignoring case',
});
const Color = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: '`#RRGGBB`', examples: ['#3366FF'] });

export const CategorySchema = Type.Object({
  id: Type.String(),
  owner_id: Type.String(),
  name: Type.String(),
  color: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), tasks: Type.String() }),
});

const CreateCategoryBody = Type.Object({ name: CategoryName, color: Color });
const UpdateCategoryBody = Type.Object(
  { name: Type.Optional(CategoryName), color: Type.Optional(Color) },
  { minProperties: 1 },
);
const CategoryListQuery = Type.Object({
  ...PageQuery,
  owner_id: Type.Optional(
    Type.String({ minLength: 1, description: 'Admins only: another user’s categories' }),
  ),
});

export function categoryRoutes(app: ServiceApp, deps: Deps): void {
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
      const row = await createCategory(deps, { caller: req.caller }, req.body);
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
    async (req) =>
      publicCategory(await loadCategoryFor(deps.db, req.caller, req.params.id, 'categories:read')),
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
    async (req) =>
      publicCategory(await changeCategory(deps, { caller: req.caller }, req.params.id, req.body)),
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
      await removeCategory(deps, { caller: req.caller }, req.params.id);
      return reply.code(204).send(null);
    },
  );
}
