/**
 * OAuth clients, managed by admins (`/api/v1/oauth-clients`, permissions `oauth-clients:*`),
 * and the consents a user gave (`/api/v1/auth/consents`): listed and withdrawn by their owner.
 * The rules are in commands/oauth-clients.ts and commands/oauth-consents.ts.
 */
import { AppError, listPage, PageOf, PageQuery, Type, type ServiceApp } from '@portico/kit';
import { changeOAuthClient, createOAuthClient, deleteOAuthClient } from '../commands/oauth-clients.ts';
import { revokeConsent } from '../commands/oauth-consents.ts';
import type { Deps } from '../deps.ts';
import { consentsOf, findLiveOAuthClient, liveOAuthClients } from '../repository/oauth-clients.ts';
import { oauthClientView } from '../views.ts';
import {
  ClientIdParams,
  Consent,
  CreatedOAuthClient,
  CreateOAuthClientBody,
  OAuthClient,
  PatchOAuthClientBody,
} from './oauth-schemas.ts';
import { requestFacts } from './request-facts.ts';

const tags = ['oauth-clients'];

export function oauthClientRoutes(app: ServiceApp, deps: Deps): void {
  app.post(
    '/api/v1/oauth-clients',
    {
      config: { permission: 'oauth-clients:create' },
      schema: {
        tags,
        summary: 'Register an OAuth client; a confidential client’s secret is shown only in this response',
        body: CreateOAuthClientBody,
        response: { 201: CreatedOAuthClient },
      },
    },
    async (req, reply) => {
      const { row, secret } = await createOAuthClient(deps, req.caller, req.body, requestFacts(req));
      return reply
        .code(201)
        .header('location', `/api/v1/oauth-clients/${row.id}`)
        .header('cache-control', 'no-store')
        .send({ ...oauthClientView(row), ...(secret && { client_secret: secret }) });
    },
  );

  app.get(
    '/api/v1/oauth-clients',
    {
      config: { permission: 'oauth-clients:read' },
      schema: {
        tags,
        summary: 'Registered OAuth clients, newest first (never a secret)',
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(OAuthClient) },
      },
    },
    async (_req, reply) =>
      listPage(reply, liveOAuthClients(deps.db), { sort: 'created_at', direction: 'desc' }, oauthClientView),
  );

  app.get(
    '/api/v1/oauth-clients/:client_id',
    {
      config: { permission: 'oauth-clients:read' },
      schema: { tags, summary: 'One OAuth client', params: ClientIdParams, response: { 200: OAuthClient } },
    },
    async (req) => {
      const row = await findLiveOAuthClient(deps.db, req.params.client_id);
      if (!row) throw AppError.notFound('OAuth client');
      return oauthClientView(row);
    },
  );

  app.patch(
    '/api/v1/oauth-clients/:client_id',
    {
      config: { permission: 'oauth-clients:update' },
      schema: {
        tags,
        summary: 'Change a client’s name, redirect URIs or scopes',
        params: ClientIdParams,
        body: PatchOAuthClientBody,
        response: { 200: OAuthClient },
      },
    },
    async (req) =>
      oauthClientView(
        await changeOAuthClient(deps, req.caller, req.params.client_id, req.body, requestFacts(req)),
      ),
  );

  app.delete(
    '/api/v1/oauth-clients/:client_id',
    {
      config: { permission: 'oauth-clients:delete' },
      schema: {
        tags,
        summary: 'Delete a client; its grants and tokens are revoked',
        params: ClientIdParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      await deleteOAuthClient(deps, req.caller, req.params.client_id, requestFacts(req));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/consents',
    {
      schema: {
        tags: ['auth'],
        summary: 'The applications you allowed, and what they may do',
        response: { 200: Type.Object({ data: Type.Array(Consent) }) },
      },
    },
    async (req) => ({
      data: (await consentsOf(deps.db, req.caller.id!)).map((c) => ({
        ...c,
        updated_at: new Date(c.updated_at).toISOString(),
      })),
    }),
  );

  app.delete(
    '/api/v1/auth/consents/:client_id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Withdraw your consent: the application’s tokens stop working',
        params: ClientIdParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      await revokeConsent(deps, req.caller.id!, req.params.client_id, requestFacts(req));
      return reply.code(204).send(null);
    },
  );
}
