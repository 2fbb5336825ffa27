/**
 * identity — users, sessions, roles, API keys and the audit log (AAA), as docs/services.md describes.
 * Issues ES256 access tokens the gateway verifies against the JWKS here, verifies API keys for
 * the gateway, and publishes the revocations the gateway enforces (@portico/contracts, identity.ts).
 * Also an OpenID Provider (OAuth 2.0 authorization code + PKCE, client credentials): oauth/.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { IdentityEvents } from '@portico/contracts';
import { bootstrapAdmin } from './commands/bootstrap-admin.ts';
import { accessDeniedConsumer } from './consumers.ts';
import { warmUpPasswords } from './crypto/passwords.ts';
import { buildIdentityContext, type IdentityContext } from './deps.ts';
import { PUBLISHED_EVENTS } from './events.ts';
import { pruneAttempts } from './repository/login-throttle.ts';
import { pruneChallenges } from './repository/mfa.ts';
import { pruneSessions } from './repository/sessions.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { planRoutes } from './routes/plans.ts';
import { auditRoutes } from './routes/audit-logs.ts';
import { authRoutes } from './routes/auth.ts';
import { internalRoutes } from './routes/internal.ts';
import { keyRoutes } from './routes/keys.ts';
import { meRoutes } from './routes/me.ts';
import { mfaRoutes } from './routes/mfa.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { oauthClientRoutes } from './routes/oauth-clients.ts';
import { pruneOAuthArtifacts } from './oauth/artifacts.ts';
import { usersRoutes } from './routes/users.ts';
import { IdentitySettings } from './settings.ts';
import type { IdentityDB } from './tables.ts';

export default defineService<IdentityDB, IdentitySettings, IdentityEvents, IdentityContext>({
  name: 'identity',
  version: '1.0.0',
  description: 'Users, sessions, roles, API keys and the audit log',
  migrations: new URL('./migrations/', import.meta.url),
  settings: IdentitySettings,
  publishes: PUBLISHED_EVENTS,
  consumers: [accessDeniedConsumer],
  context: buildIdentityContext,
  routes(app, deps) {
    for (const routes of [
      authRoutes,
      meRoutes,
      mfaRoutes,
      usersRoutes,
      apiKeyRoutes,
      planRoutes,
      auditRoutes,
      keyRoutes,
      internalRoutes,
      oauthRoutes,
      oauthClientRoutes,
    ])
      routes(app, deps);
  },
  async start(deps) {
    await warmUpPasswords();
    await bootstrapAdmin(deps);
    const window = deps.settings.IDENTITY_LOGIN_WINDOW_SECONDS;
    const timer = setInterval(() => {
      pruneAttempts(deps.db, window)
        .then(() => pruneSessions(deps.db))
        .then(() => pruneChallenges(deps.db))
        .then(() => pruneOAuthArtifacts(deps))
        .catch((err: unknown) => deps.log.warn({ err }, 'housekeeping failed'));
    }, 60_000);
    timer.unref();
    deps.onClose(() => clearInterval(timer));
  },
});
