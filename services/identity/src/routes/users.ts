/**
 * Users administration (`/api/v1/users`): admins create, list, read, update, disable and assign
 * roles; anyone may read themselves. Roles change only through `PUT …/roles` — `roles` in a
 * PATCH body is an unknown field (422), so mass assignment fails loudly.
 */
import type { FastifyRequest } from 'fastify';
import { AppError, can, scopeOf, PageOf, PageQuery, Type, type ServiceApp, listPage } from '@portico/kit';
import {
  createUser,
  disableUserById,
  replaceRoles,
  updateUserByAdmin,
  type Actor,
} from '../commands/user-admin.ts';
import { resetTotpByAdmin } from '../commands/totp-enrolment.ts';
import type { Deps } from '../deps.ts';
import { findUserById, usersQuery } from '../repository/users.ts';
import { userView } from '../views.ts';
import { normaliseEmailField } from './hooks.ts';
import { requestFacts } from './request-facts.ts';
import { CreateUserBody, IdParams, PatchUserBody, RolesBody, User, UsersQuery } from './schemas.ts';

/**
 * Administration needs the permission over every user: an `:own` grant (say `users:update:own`)
 * must not let anyone disable, re-email or promote themselves through these routes.
 */
function requireAll(permission: string) {
  return async (req: FastifyRequest): Promise<void> => {
    if (req.caller.auth !== 'service' && scopeOf(req.caller, permission) !== 'all') {
      throw new AppError('forbidden', `Requires the ${permission} permission over all users`);
    }
  };
}

export function usersRoutes(app: ServiceApp, deps: Deps): void {
  const actorOf = (req: FastifyRequest): Actor => ({
    id: req.caller.id,
    facts: requestFacts(req),
  });

  app.post(
    '/api/v1/users',
    {
      config: { permission: 'users:create', idempotency: false },
      preHandler: requireAll('users:create'),
      preValidation: normaliseEmailField,
      schema: {
        tags: ['users'],
        summary: 'Create a user with roles (admin)',
        body: CreateUserBody,
        response: { 201: User },
      },
    },
    async (req, reply) => {
      const user = await createUser(deps, req.body, actorOf(req));
      return reply.code(201).header('location', `/api/v1/users/${user.id}`).send(userView(user));
    },
  );

  app.get(
    '/api/v1/users',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['users'],
        summary: 'List users (admin), newest first',
        querystring: Type.Object({ ...PageQuery, ...UsersQuery.properties }),
        response: { 200: PageOf(User) },
      },
    },
    async (req, reply) => {
      // An `:own` grant lists just the caller.
      const own = req.caller.auth !== 'service' && scopeOf(req.caller, 'users:read') !== 'all';
      const { role, status, q: text } = req.query;
      const q = usersQuery(deps.db, { role, status, q: text, ...(own && { onlyId: req.caller.id }) });
      return listPage(reply, q, { sort: 'created_at', direction: 'desc' }, userView);
    },
  );

  app.get(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'A user (admin), or yourself',
        params: IdParams,
        response: { 200: User },
      },
    },
    async (req) => {
      const user = await findUserById(deps.db, req.params.id);
      if (!user || (req.caller.id !== user.id && !can(req.caller, 'users:read', { ownerId: user.id })))
        throw AppError.notFound('User');
      return userView(user);
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { permission: 'users:update' },
      preHandler: requireAll('users:update'),
      preValidation: normaliseEmailField,
      schema: {
        tags: ['users'],
        summary: 'Update name, email or status (admin); roles are set with PUT …/roles',
        params: IdParams,
        body: PatchUserBody,
        response: { 200: User },
      },
    },
    async (req) => userView(await updateUserByAdmin(deps, req.params.id, req.body, actorOf(req))),
  );

  app.delete(
    '/api/v1/users/:id',
    {
      config: { permission: 'users:delete' },
      preHandler: requireAll('users:delete'),
      schema: {
        tags: ['users'],
        summary: 'Disable a user (soft delete, admin): sessions end, login answers 403',
        params: IdParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      await disableUserById(deps, req.params.id, actorOf(req));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/users/:id/mfa/totp',
    {
      config: { permission: 'users:update' },
      preHandler: requireAll('users:update'),
      schema: {
        tags: ['users'],
        summary: "Turn a user's authenticator app off (admin): a lost phone and lost recovery codes",
        params: IdParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      await resetTotpByAdmin(deps, req.params.id, req.caller.id, requestFacts(req));
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/api/v1/users/:id/roles',
    {
      config: { permission: 'users:roles' },
      preHandler: requireAll('users:roles'),
      schema: {
        tags: ['users'],
        summary: "Replace a user's roles (admin); effective at their next refresh",
        params: IdParams,
        body: RolesBody,
        response: { 200: User },
      },
    },
    async (req) => userView(await replaceRoles(deps, req.params.id, req.body.roles, actorOf(req))),
  );
}
