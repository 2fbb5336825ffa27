/** The caller's own profile: `GET/PATCH /api/v1/auth/me`. */
import { AppError, permissionsForRoles, type ServiceApp } from '@portico/kit';
import { appendAudit } from '../audit.ts';
import type { IdentityContext } from '../context.ts';
import { publishUserUpdated } from '../events.ts';
import { findUserById, toPublicUser, type UserRow } from '../repository/users.ts';
import { requestFacts } from '../request-facts.ts';
import { Me, MePatchBody } from '../schemas.ts';

const toMe = (row: UserRow) => ({ ...toPublicUser(row), permissions: permissionsForRoles(row.roles) });

export function meRoutes(app: ServiceApp, ctx: IdentityContext): void {
  const { deps } = ctx;

  app.get(
    '/api/v1/auth/me',
    { schema: { tags: ['auth'], summary: 'Your profile, roles and permissions', response: { 200: Me } } },
    async (req) => {
      const user = await findUserById(deps.db, req.caller.id!);
      if (!user) throw AppError.notFound('User');
      return toMe(user);
    },
  );

  app.patch(
    '/api/v1/auth/me',
    { schema: { tags: ['auth'], summary: 'Change your name', body: MePatchBody, response: { 200: Me } } },
    async (req) => {
      const user = await deps.tx(async (trx) => {
        const row = (await trx
          .updateTable('users')
          .set({ full_name: req.body.full_name, updated_at: new Date() })
          .where('id', '=', req.caller.id!)
          .returningAll()
          .executeTakeFirst()) as UserRow | undefined;
        if (!row) throw AppError.notFound('User');
        await publishUserUpdated(ctx, trx, row);
        await appendAudit(
          trx,
          {
            actor_id: row.id,
            action: 'user.updated',
            target: row.id,
            outcome: 'success',
            details: { fields: ['full_name'] },
          },
          requestFacts(req),
        );
        return row;
      });
      return toMe(user);
    },
  );
}
