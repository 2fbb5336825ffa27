/**
 * API keys (`/api/v1/api-keys`): `pk_live_` + 256 random bits, shown once in the 201 and stored
 * as a SHA-256 hash. Scopes must be covered by the owner's permissions at the same reach.
 * Owners see and revoke their own; admins anyone's. Revocation publishes `api_key.revoked`
 * so the gateway drops its cached verification at once.
 */
import { uuidv7 } from 'uuidv7';
import {
  AppError,
  can,
  PageOf,
  PageQuery,
  permissionsForRoles,
  scopeOf,
  Type,
  type ServiceApp,
  listPage,
} from '@portico/kit';
import { appendAudit } from '../audit.ts';
import type { IdentityContext } from '../context.ts';
import { effectiveScopes, uncoveredScopes } from '../domain/api-key-scopes.ts';
import { newApiKey } from '../domain/secrets.ts';
import { publishApiKeyRevoked } from '../events.ts';
import { findLiveApiKey, toPublicApiKey, type ApiKeyRow } from '../repository/api-keys.ts';
import { findUserById } from '../repository/users.ts';
import { requestFacts } from '../request-facts.ts';
import { ApiKey, ApiKeysQuery, CreateApiKeyBody, CreatedApiKey, IdParams } from '../schemas.ts';

export function apiKeyRoutes(app: ServiceApp, ctx: IdentityContext): void {
  const { deps } = ctx;

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
      const owner = await findUserById(deps.db, req.caller.id!);
      if (!owner || owner.status !== 'active') throw AppError.notFound('User');
      const ownerPermissions = permissionsForRoles(owner.roles);
      // A key minted with an API key can grant no more than that key holds.
      const viaKey = req.caller.auth === 'api_key';
      const scopes =
        req.body.scopes ??
        (viaKey ? effectiveScopes(ownerPermissions, req.caller.permissions) : ownerPermissions);
      const missing = [
        ...new Set([
          ...uncoveredScopes(ownerPermissions, scopes),
          ...(viaKey ? uncoveredScopes(req.caller.permissions, scopes) : []),
        ]),
      ];
      if (missing.length) {
        throw AppError.validation(
          missing.map((s) => ({
            field: `scopes.${scopes.indexOf(s)}`,
            code: 'not_permitted',
            message: `${s} is not among your permissions`,
          })),
        );
      }
      const expiresAt = req.body.expires_at ? new Date(req.body.expires_at) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw AppError.validation([
          { field: 'expires_at', code: 'in_past', message: 'must be in the future' },
        ]);
      }
      const secret = newApiKey();
      const row = await deps.tx(async (trx) => {
        const r = (await trx
          .insertInto('api_keys')
          .values({
            id: uuidv7(),
            user_id: owner.id,
            name: req.body.name,
            key_hash: secret.hash,
            prefix: secret.prefix,
            last4: secret.last4,
            scopes,
            expires_at: expiresAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow()) as ApiKeyRow;
        await appendAudit(
          trx,
          {
            actor_id: owner.id,
            action: 'api_key.created',
            target: r.id,
            outcome: 'success',
            details: { name: r.name, scopes, prefix: r.prefix },
          },
          requestFacts(req),
        );
        return r;
      });
      return reply
        .code(201)
        .header('location', `/api/v1/api-keys/${row.id}`)
        .header('cache-control', 'no-store')
        .send({ ...toPublicApiKey(row), key: secret.key });
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
      const q = deps.db
        .selectFrom('api_keys')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null);
      return listPage(reply, q, { sort: 'created_at', direction: 'desc' }, (r) =>
        toPublicApiKey(r as ApiKeyRow),
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
      return toPublicApiKey(row);
    },
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
      await deps.tx(async (trx) => {
        const row = (await trx
          .selectFrom('api_keys')
          .selectAll()
          .where('id', '=', req.params.id)
          .where('revoked_at', 'is', null)
          .forUpdate()
          .executeTakeFirst()) as ApiKeyRow | undefined;
        if (!row || !can(req.caller, 'api-keys:delete', { ownerId: row.user_id }))
          throw AppError.notFound('API key');
        await trx.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', row.id).execute();
        await publishApiKeyRevoked(ctx, trx, { api_key_id: row.id, user_id: row.user_id });
        await appendAudit(
          trx,
          {
            actor_id: req.caller.id,
            action: 'api_key.revoked',
            target: row.id,
            outcome: 'success',
            details: { owner_id: row.user_id, name: row.name },
          },
          requestFacts(req),
        );
      });
      return reply.code(204).send(null);
    },
  );
}
