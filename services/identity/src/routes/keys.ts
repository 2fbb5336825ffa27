/**
 * Public keys and their administration: `GET /.well-known/jwks.json` (RFC 7517; public — the
 * gateway fetches it directly, without a passport) and the admin routes to list and rotate the
 * signing keys (`/api/v1/signing-keys`).
 */
import { Type, type ServiceApp } from '@portico/kit';
import { JWKS_PATH } from '@portico/contracts';
import { rotateSigningKeyNow } from '../commands/signing-keys.ts';
import type { Deps } from '../deps.ts';
import { signingKeyView } from '../views.ts';
import { emptyBodyIsObject } from './hooks.ts';
import { requestFacts } from './request-facts.ts';
import { RotateKeyBody, SigningKey } from './schemas.ts';

export function keyRoutes(app: ServiceApp, deps: Deps): void {
  const keys = deps.context.keys;
  app.get(
    JWKS_PATH,
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Public signing keys (JWK Set); new keys appear before they sign',
        security: [],
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.String())) }) },
      },
    },
    async (_req, reply) => {
      // Short cache: a rotation's new key must reach verifiers within its activation delay.
      reply.header('cache-control', 'public, max-age=60');
      return keys.jwks() as { keys: Record<string, string>[] };
    },
  );

  app.get(
    '/api/v1/signing-keys',
    {
      config: { permission: 'signing-keys:read' },
      schema: {
        tags: ['auth'],
        summary: 'Signing keys and their state (admin)',
        response: { 200: Type.Object({ data: Type.Array(SigningKey) }) },
      },
    },
    async () => {
      await keys.reload();
      return { data: keys.list().map(signingKeyView) };
    },
  );

  app.post(
    '/api/v1/signing-keys/rotate',
    {
      config: { permission: 'signing-keys:rotate' },
      preValidation: emptyBodyIsObject,
      schema: {
        tags: ['auth'],
        summary: 'Create a new signing key (admin); published now, signs after the activation delay',
        body: RotateKeyBody,
        response: { 201: SigningKey },
      },
    },
    async (req, reply) => {
      const key = await rotateSigningKeyNow(
        deps,
        req.caller.id,
        req.body.activation_delay_seconds,
        requestFacts(req),
      );
      return reply.code(201).header('location', `/api/v1/signing-keys`).send(signingKeyView(key));
    },
  );
}
