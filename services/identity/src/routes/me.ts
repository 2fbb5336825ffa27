/** The caller's own profile: `GET/PATCH /api/v1/auth/me`. */
import { AppError, type ServiceApp } from '@portico/kit';
import { updateSelf } from '../commands/profile.ts';
import type { Deps } from '../deps.ts';
import { hasActiveTotp } from '../repository/mfa.ts';
import { findUserById } from '../repository/users.ts';
import type { UserRow } from '../tables.ts';
import { meView } from '../views.ts';
import { requestFacts } from './request-facts.ts';
import { Me, MePatchBody } from './schemas.ts';

export function meRoutes(app: ServiceApp, deps: Deps): void {
  const view = async (user: UserRow) => meView(user, { totp: await hasActiveTotp(deps.db, user.id) });

  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your profile, roles, permissions and second factors',
        response: { 200: Me },
      },
    },
    async (req) => {
      const user = await findUserById(deps.db, req.caller.id!);
      if (!user) throw AppError.notFound('User');
      return view(user);
    },
  );

  app.patch(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your name or the API version you are pinned to',
        description:
          '`api_version` (docs/versions.md) applies to access tokens issued from now on (the next login or refresh).',
        body: MePatchBody,
        response: { 200: Me },
      },
    },
    async (req) => view(await updateSelf(deps, req.caller.id!, req.body, requestFacts(req))),
  );
}
