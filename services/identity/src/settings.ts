/**
 * Identity's configuration: environment variables validated at start (style.md §13). A mistake
 * names the variable and the allowed range before anything listens.
 */
import { Type, type Static } from '@portico/kit';

export const IdentitySettings = Type.Object({
  PORTICO_ADMIN_EMAIL: Type.String({
    default: 'admin@portico.local',
    minLength: 3,
    description: 'email of the bootstrap admin',
  }),
  PORTICO_ADMIN_PASSWORD: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'password of the bootstrap admin; generated when unset',
    }),
  ),
  IDENTITY_ACCESS_TOKEN_TTL: Type.Integer({
    default: 900,
    minimum: 30,
    maximum: 900,
    description: 'access-token lifetime in seconds, at most 15 minutes',
  }),
  IDENTITY_REFRESH_TOKEN_TTL: Type.Integer({
    default: 30 * 86_400,
    minimum: 60,
    maximum: 365 * 86_400,
    description: 'refresh-token lifetime in seconds (sliding: each rotation starts it again)',
  }),
  IDENTITY_SESSION_MAX_AGE: Type.Integer({
    default: 90 * 86_400,
    minimum: 60,
    maximum: 365 * 86_400,
    description: 'absolute lifetime of a session (refresh-token family) in seconds',
  }),
  IDENTITY_PASSWORD_MIN_LENGTH: Type.Integer({
    default: 12,
    minimum: 8,
    maximum: 128,
    description: 'minimum password length',
  }),
  IDENTITY_LOGIN_MAX_ATTEMPTS: Type.Integer({
    default: 5,
    minimum: 1,
    maximum: 1000,
    description: 'failed logins per (IP, email) per window',
  }),
  IDENTITY_LOGIN_MAX_ATTEMPTS_PER_IP: Type.Integer({
    default: 100,
    minimum: 1,
    maximum: 100_000,
    description: 'failed logins per IP per window',
  }),
  IDENTITY_LOGIN_WINDOW_SECONDS: Type.Integer({
    default: 900,
    minimum: 1,
    maximum: 86_400,
    description: 'login throttle window in seconds',
  }),
  PORTICO_REQUIRE_ADMIN_MFA: Type.Boolean({
    default: false,
    description:
      'admins must sign in with a second factor (TOTP); one without it is sent to enrol at sign-in (docs/mfa.md)',
  }),
  IDENTITY_KEY_ENCRYPTION_KEY: Type.Optional(
    Type.String({
      pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$',
      description:
        '32 bytes, hex or base64: encrypts the signing keys at rest; default: generated under the data dir',
    }),
  ),
  IDENTITY_KEY_ACTIVATION_DELAY_SECONDS: Type.Integer({
    default: 300,
    minimum: 0,
    maximum: 86_400,
    description: 'how long a new signing key is published in JWKS before it signs',
  }),
  IDENTITY_KEY_ROTATION_DAYS: Type.Integer({
    default: 90,
    minimum: 0,
    maximum: 3650,
    description: 'rotate the signing key automatically after this many days; 0 = never',
  }),
  IDENTITY_KEY_RELOAD_SECONDS: Type.Number({
    default: 10,
    minimum: 0.1,
    maximum: 3600,
    description: 'how often each replica re-reads the signing keys',
  }),
  IDENTITY_OIDC_ISSUER: Type.Optional(
    Type.String({
      pattern: '^https?://[^/?#]+$',
      description:
        'the OpenID issuer: the public origin of the gateway (https://api.example.com); unset, only loopback origins are served (development)',
    }),
  ),
});

export type IdentitySettings = Static<typeof IdentitySettings>;
