/** Per-channel preferences of the caller (`in_app`, `email`, `webhook`; all on by default). */
import { Type, type ServiceApp, requireUserId } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { preferencesOf, putPreferences, type Preferences } from '../repository/users.ts';
import { NullableDateTime } from './common.ts';

const tags = ['notifications'];

const PreferencesSchema = Type.Object({
  in_app: Type.Boolean(),
  email: Type.Boolean(),
  webhook: Type.Boolean(),
  updated_at: NullableDateTime,
});

const PreferencesBody = Type.Object({
  in_app: Type.Boolean(),
  email: Type.Boolean(),
  webhook: Type.Boolean(),
});

const view = (p: Preferences) => ({
  in_app: p.in_app,
  email: p.email,
  webhook: p.webhook,
  updated_at: p.updated_at?.toISOString() ?? null,
});

export function preferenceRoutes(app: ServiceApp, deps: Deps): void {
  app.get(
    '/api/v1/notifications/preferences',
    {
      config: { permission: 'notifications:read' },
      schema: { tags, summary: 'My channel preferences', response: { 200: PreferencesSchema } },
    },
    async (req) => view(await preferencesOf(deps.db, requireUserId(req))),
  );

  app.put(
    '/api/v1/notifications/preferences',
    {
      config: { permission: 'notifications:update' },
      schema: {
        tags,
        summary: 'Set my channel preferences',
        body: PreferencesBody,
        response: { 200: PreferencesSchema },
      },
    },
    async (req) => view(await putPreferences(deps.db, requireUserId(req), req.body)),
  );
}
