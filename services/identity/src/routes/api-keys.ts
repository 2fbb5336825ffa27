/**
 * API keys (`/api/v1/api-keys`): `pk_live_` + 256 random bits, shown once in the 201 and stored
 * as a SHA-256 hash. Scopes must be covered by the owner's permissions at the same reach.
 * Owners see and revoke their own; admins anyone's. Revocation publishes `api_key.revoked`
 * so the gateway drops its cached verification at once.
 */
import { AppError, can, PageOf, PageQuery, scopeOf, Type, type ServiceApp, listPage } from '@portico/kit';
import { createApiKey, repinApiKey, revokeApiKey } from '../commands/api-keys.ts';
import type { Deps } from '../deps.ts';
import { findLiveApiKey, liveApiKeysOf } from '../repository/api-keys.ts';
import { apiKeyView } from '../views.ts';
import { requestFacts } from './request-facts.ts';
import {
  ApiKey,
  ApiKeyPatchBody,
  ApiKeysQuery,
  CreateApiKeyBody,
  CreatedApiKey,
  IdParams,
} from './schemas.ts';

export function apiKeyRoutes(app: ServiceApp, deps: Deps): void {
  app.post(
    '/api/v1/api-keys',
    {
      config: { permission: 'api-keys:create' },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key; the key is shown only in this response',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey },
      },
    },
    async (req, reply) => {
      const { row, key } = await createApiKey(deps, req.caller, req.body, requestFacts(req));
      return reply
        .code(201)
        .header('location', `/api/v1/api-keys/${row.id}`)
        .header('cache-control', 'no-store')
        .send({ ...apiKeyView(row), key });
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      config: { permission: 'api-keys:read' },
      schema: {
        tags: ['api-keys'],
        summary: 'Your API keys (admin: anyone’s with user_id), newest first; never the secret',
        querystring: Type.Object({ ...PageQuery, ...ApiKeysQuery.properties }),
        response: { 200: PageOf(ApiKey) },
      },
    },
    async (req, reply) => {
      const all = scopeOf(req.caller, 'api-keys:read') === 'all';
      const userId = req.query.user_id && all ? req.query.user_id : req.caller.id!;
      return listPage(
        reply,
        liveApiKeysOf(deps.db, userId),
        { sort: 'created_at', direction: 'desc' },
        apiKeyView,
      );
    },
  );

  app.get(
    '/api/v1/api-keys/:id',
    {
      config: { permission: 'api-keys:read' },
      schema: {
        tags: ['api-keys'],
        summary: 'One API key (never the secret)',
        params: IdParams,
        response: { 200: ApiKey },
      },
    },
    async (req) => {
      const row = await findLiveApiKey(deps.db, req.params.id);
      if (!row || !can(req.caller, 'api-keys:read', { ownerId: row.user_id }))
        throw AppError.notFound('API key');
      return apiKeyView(row);
    },
  );

  app.patch(
    '/api/v1/api-keys/:id',
    {
      config: { permission: 'api-keys:update' },
      schema: {
        tags: ['api-keys'],
        summary: 'Pin an API key to another API version (docs/versions.md)',
        description:
          'The gateway caches a verified key briefly (`identity.api_key_cache_ttl`), so the new version applies within that time.',
        params: IdParams,
        body: ApiKeyPatchBody,
        response: { 200: ApiKey },
      },
    },
    async (req) => apiKeyView(await repinApiKey(deps, req.caller, req.params.id, req.body.api_version)),
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      config: { permission: 'api-keys:delete' },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        params: IdParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      await revokeApiKey(deps, req.caller, req.params.id, requestFacts(req));
      return reply.code(204).send(null);
    },
  );
}
