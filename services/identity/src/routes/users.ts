/**
 * Users administration (`/api/v1/users`): admins create, list, read, update, disable and assign
 * roles; anyone may read themselves. Roles change only through `PUT …/roles` — `roles` in a
 * PATCH body is an unknown field (422), so mass assignment fails loudly.
 */
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, can, scopeOf, PageOf, PageQuery, Type, type ServiceApp, listPage } from '@portico/kit';
import { appendAudit } from '../audit.ts';
import type { IdentityContext } from '../context.ts';
import { passwordProblems } from '../domain/password-policy.ts';
import { hashPassword } from '../crypto/passwords.ts';
import { publishUserRegistered, publishUserUpdated } from '../events.ts';
import { emailConflict, findUserById, insertUser, toPublicUser, type UserRow } from '../repository/users.ts';
import { requestFacts } from '../request-facts.ts';
import { CreateUserBody, IdParams, PatchUserBody, RolesBody, User, UsersQuery } from '../schemas.ts';
import { disableUser, enableUser, lockTarget, setRoles, type Actor } from '../user-admin.ts';
import { normaliseEmailField } from './hooks.ts';

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

export function usersRoutes(app: ServiceApp, ctx: IdentityContext): void {
  const { deps, settings } = ctx;
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
      const { email, password, full_name, roles } = req.body;
      const problems = passwordProblems(password, {
        minLength: settings.IDENTITY_PASSWORD_MIN_LENGTH,
        email,
      });
      if (problems.length) throw AppError.validation(problems);
      const password_hash = await hashPassword(password);
      const user = await deps.tx(async (trx) => {
        const row = await insertUser(trx, {
          id: uuidv7(),
          email,
          full_name,
          password_hash,
          roles: [...new Set<string>(roles)].sort(),
        });
        await publishUserRegistered(ctx, trx, row);
        await appendAudit(
          trx,
          {
            actor_id: req.caller.id,
            action: 'user.created',
            target: row.id,
            outcome: 'success',
            details: { email, roles: row.roles },
          },
          requestFacts(req),
        );
        return row;
      });
      return reply.code(201).header('location', `/api/v1/users/${user.id}`).send(toPublicUser(user));
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
      let q = deps.db.selectFrom('users').selectAll();
      // An `:own` grant lists just the caller.
      if (req.caller.auth !== 'service' && scopeOf(req.caller, 'users:read') !== 'all')
        q = q.where('id', '=', req.caller.id);
      if (req.query.role) q = q.where(sql<boolean>`${req.query.role} = any(roles)`);
      if (req.query.status) q = q.where('status', '=', req.query.status);
      if (req.query.q) {
        const like = `%${req.query.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
        q = q.where((eb) =>
          eb.or([eb(sql`lower(email)`, 'like', like), eb(sql`lower(full_name)`, 'like', like)]),
        );
      }
      return listPage(reply, q, { sort: 'created_at', direction: 'desc' }, (r) => toPublicUser(r as UserRow));
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
      return toPublicUser(user);
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
    async (req) => {
      const actor = actorOf(req);
      const user = await deps.tx(async (trx) => {
        let row = await lockTarget(trx, req.params.id);
        const { full_name, email, status } = req.body;
        const fields: string[] = [];
        if (full_name !== undefined && full_name !== row.full_name) fields.push('full_name');
        if (email !== undefined && email !== row.email) fields.push('email');
        if (fields.length) {
          try {
            row = (await trx
              .updateTable('users')
              .set({
                ...(full_name !== undefined && { full_name }),
                ...(email !== undefined && { email }),
                updated_at: new Date(),
              })
              .where('id', '=', row.id)
              .returningAll()
              .executeTakeFirstOrThrow()) as UserRow;
          } catch (err) {
            emailConflict(err);
          }
          await publishUserUpdated(ctx, trx, row);
          await appendAudit(
            trx,
            {
              actor_id: actor.id,
              action: 'user.updated',
              target: row.id,
              outcome: 'success',
              details: { fields },
            },
            actor.facts,
          );
        }
        if (status === 'disabled') row = await disableUser(ctx, trx, row, actor);
        if (status === 'active') row = await enableUser(ctx, trx, row, actor);
        return row;
      });
      return toPublicUser(user);
    },
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
      const actor = actorOf(req);
      await deps.tx(async (trx) => {
        const row = await lockTarget(trx, req.params.id);
        await disableUser(ctx, trx, row, actor);
      });
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
    async (req) => {
      const actor = actorOf(req);
      const user = await deps.tx(async (trx) => {
        const row = await lockTarget(trx, req.params.id);
        return setRoles(ctx, trx, row, req.body.roles, actor);
      });
      return toPublicUser(user);
    },
  );
}
