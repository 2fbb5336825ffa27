/**
 * The OpenID provider's endpoints in identity's OpenAPI document. Their routes hand the raw
 * request to oidc-provider, so the kit cannot describe them from a schema: this adds what a
 * client needs — form bodies and OAuth's own JSON answers (RFC 6749 §5.1 tokens, §5.2 errors,
 * RFC 7009 revocation, RFC 7662 introspection, OpenID Connect discovery and userinfo). A 400 may
 * also be the gateway's problem+json (a malformed request never reaches identity). The sign-in
 * and consent pages are HTML for browsers and stay out of the document.
 */
import { transformDocument, type ServiceApp } from '@portico/kit';
import { OAUTH_ROUTES } from './paths.ts';

type Json = Record<string, unknown>;

const TAG = 'oauth';
const FORM = 'application/x-www-form-urlencoded';

const OAuthError: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'string',
      description: 'RFC 6749 §5.2 code: invalid_request, invalid_client, invalid_grant, …',
    },
    error_description: { type: 'string' },
  },
};

const ClientCredentials: Json = {
  client_id: { type: 'string', description: 'When the client does not use HTTP Basic' },
  client_secret: { type: 'string', description: 'When the client does not use HTTP Basic' },
};

function json(description: string, schema: Json): Json {
  return { description, content: { 'application/json': { schema } } };
}

function refusal(description: string): Json {
  return {
    description,
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } },
      'application/problem+json': { schema: { type: 'object' } },
    },
  };
}

function formBody(properties: Json, required: string[]): Json {
  return {
    required: true,
    content: { [FORM]: { schema: { type: 'object', required, properties } } },
  };
}

function operations(): Record<string, Record<string, Json>> {
  return {
    '/.well-known/openid-configuration': {
      get: {
        tags: [TAG],
        operationId: 'openidConfiguration',
        summary: 'OpenID Provider metadata (OpenID Connect Discovery 1.0)',
        security: [],
        responses: { '200': json('The provider metadata', { type: 'object' }) },
      },
    },
    [OAUTH_ROUTES.token]: {
      post: {
        tags: [TAG],
        operationId: 'oauthToken',
        summary: 'Exchange a code, a refresh token or client credentials for tokens (RFC 6749 §4)',
        security: [],
        requestBody: formBody(
          {
            grant_type: {
              type: 'string',
              enum: ['authorization_code', 'refresh_token', 'client_credentials'],
            },
            code: { type: 'string' },
            redirect_uri: { type: 'string', format: 'uri' },
            code_verifier: { type: 'string', description: 'PKCE (RFC 7636)' },
            refresh_token: { type: 'string' },
            scope: { type: 'string' },
            resource: { type: 'string', format: 'uri', description: 'RFC 8707' },
            ...ClientCredentials,
          },
          ['grant_type'],
        ),
        responses: {
          '200': json('Tokens (RFC 6749 §5.1); access tokens are RFC 9068 JWTs', {
            type: 'object',
            required: ['access_token', 'token_type', 'expires_in'],
            properties: {
              access_token: { type: 'string' },
              token_type: { type: 'string', enum: ['Bearer'] },
              expires_in: { type: 'integer' },
              refresh_token: { type: 'string' },
              id_token: { type: 'string' },
              scope: { type: 'string' },
            },
          }),
          '400': refusal('The grant or the request is invalid'),
          '401': refusal('Client authentication failed'),
        },
      },
    },
    [OAUTH_ROUTES.revocation]: {
      post: {
        tags: [TAG],
        operationId: 'oauthRevoke',
        summary: 'Revoke an access or refresh token (RFC 7009)',
        security: [],
        requestBody: formBody(
          {
            token: { type: 'string' },
            token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'] },
            ...ClientCredentials,
          },
          ['token'],
        ),
        responses: {
          '200': { description: 'Revoked, or not a token this provider knows (RFC 7009 §2.2)' },
          '400': refusal('The request is invalid, or the token is another client’s'),
          '401': refusal('Client authentication failed'),
        },
      },
    },
    [OAUTH_ROUTES.introspection]: {
      post: {
        tags: [TAG],
        operationId: 'oauthIntrospect',
        summary: 'Whether a token is active, and its claims (RFC 7662)',
        security: [],
        requestBody: formBody({ token: { type: 'string' }, ...ClientCredentials }, ['token']),
        responses: {
          '200': json('The token’s state', {
            type: 'object',
            required: ['active'],
            properties: { active: { type: 'boolean' } },
          }),
          '400': refusal('The request is invalid'),
          '401': refusal('Client authentication failed'),
        },
      },
    },
    [OAUTH_ROUTES.userinfo]: {
      get: {
        tags: [TAG],
        operationId: 'oauthUserinfo',
        summary: 'Claims about the user of an OAuth access token (OpenID Connect Core §5.3)',
        security: [{ bearer: [] }],
        responses: {
          '200': json('The claims the token’s scopes allow', {
            type: 'object',
            required: ['sub'],
            properties: { sub: { type: 'string' } },
          }),
          '400': refusal('The request is invalid'),
          '401': refusal('The access token is missing, invalid or expired'),
          '403': refusal('The access token lacks the openid scope'),
        },
      },
    },
  };
}

export function documentOAuth(app: ServiceApp): void {
  transformDocument(app, (doc) => {
    const paths = (doc.paths ??= {}) as Record<string, Json>;
    for (const [path, item] of Object.entries(operations())) paths[path] = { ...paths[path], ...item };
    const components = (doc.components ??= {}) as Record<string, Json>;
    const schemas = (components.schemas ??= {}) as Record<string, Json>;
    schemas.OAuthError = OAuthError;
    const tags = (doc.tags ??= []) as Json[];
    if (!tags.some((t) => t.name === TAG))
      tags.push({ name: TAG, description: 'The OpenID Provider (docs/oauth.md)' });
  });
}
