/** TypeBox schemas of identity's requests and responses (they validate, type and document). */
import { API_VERSIONS, Type } from '@portico/kit';
import { ROLES } from '@portico/contracts';
import { PASSWORD_MAX_LENGTH } from '../domain/password-policy.ts';
import { SCOPE_PATTERN } from '../domain/api-key-scopes.ts';

const DateTime = Type.String({ format: 'date-time' });
const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'normalised: trimmed and lower-cased',
});
/** Length is checked by the password policy (its minimum is configurable), so the field is named in the 422. */
const NewPassword = Type.String({
  maxLength: PASSWORD_MAX_LENGTH,
  description: 'at least 12 characters (configurable), at most 128, not a common password',
});
const FullName = Type.String({ minLength: 1, maxLength: 200 });
export const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Roles = Type.Array(RoleName, { minItems: 1, maxItems: ROLES.length, uniqueItems: true });
const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  full_name: Type.String(),
  roles: Type.Array(Type.String()),
  status: Status,
  created_at: DateTime,
  updated_at: DateTime,
  plan: Type.Union([Type.String(), Type.Null()], {
    description: "consumer plan (docs/plans.md); null: the gateway's default plan",
  }),
});

export const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  full_name: Type.String(),
  roles: Type.Array(Type.String()),
  permissions: Type.Array(Type.String()),
  status: Status,
  created_at: DateTime,
  updated_at: DateTime,
  mfa: Type.Object({ totp: Type.Boolean({ description: 'an authenticator app (TOTP) is on' }) }),
  api_version: Type.String({
    description: 'The API version your tokens run at (docs/versions.md); applies from the next token',
  }),
});

export const RegisterBody = Type.Object({ email: Email, password: NewPassword, full_name: FullName });
export const LoginBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 512 }) });
export const LogoutBody = Type.Object({
  refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
});
export const PasswordBody = Type.Object({
  current_password: Type.String({ minLength: 1, maxLength: 1024 }),
  new_password: NewPassword,
});
/** A dated API version (docs/versions.md). */
export const ApiVersionField = Type.Union(
  API_VERSIONS.map((v) => Type.Literal(v)),
  { description: 'A dated API version (docs/versions.md)' },
);
export const MePatchBody = Type.Object(
  { full_name: Type.Optional(FullName), api_version: Type.Optional(ApiVersionField) },
  { minProperties: 1 },
);

export const TokenPair = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  user: User,
});

export const CreateUserBody = Type.Object({
  email: Email,
  password: NewPassword,
  full_name: FullName,
  roles: Roles,
});
export const PatchUserBody = Type.Object(
  { full_name: Type.Optional(FullName), email: Type.Optional(Email), status: Type.Optional(Status) },
  { minProperties: 1 },
);
export const RolesBody = Type.Object({ roles: Roles });
export const UsersQuery = Type.Object({
  role: Type.Optional(RoleName),
  status: Type.Optional(Status),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'matches email or full name' })),
});

export const ApiKey = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  last4: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: DateTime,
  expires_at: Type.Union([DateTime, Type.Null()]),
  last_used_at: Type.Union([DateTime, Type.Null()]),
  api_version: Type.String({ description: "The API version the key's requests run at (docs/versions.md)" }),
  plan: Type.Union([Type.String(), Type.Null()], {
    description: "consumer plan (docs/plans.md); null: the owner's plan",
  }),
});
export const CreatedApiKey = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  name: Type.String(),
  key: Type.String({ description: 'the secret; shown only in this response' }),
  prefix: Type.String(),
  last4: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: DateTime,
  expires_at: Type.Union([DateTime, Type.Null()]),
  last_used_at: Type.Union([DateTime, Type.Null()]),
  api_version: Type.String({ description: "The API version the key's requests run at (docs/versions.md)" }),
  plan: Type.Union([Type.String(), Type.Null()], { description: "consumer plan; null: the owner's plan" }),
});
export const CreateApiKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  scopes: Type.Optional(
    Type.Array(Type.String({ pattern: SCOPE_PATTERN, maxLength: 100 }), { maxItems: 100, uniqueItems: true }),
  ),
  expires_at: Type.Optional(Type.Union([DateTime, Type.Null()])),
  api_version: Type.Optional(ApiVersionField),
});
export const ApiKeyPatchBody = Type.Object({ api_version: ApiVersionField });
export const ApiKeysQuery = Type.Object({
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'admin: another user' })),
});

export const ApiKeyVerifyBody = Type.Object({ key: Type.String({ maxLength: 512 }) });
export const ApiKeyVerifyResult = Type.Union([
  Type.Object({ valid: Type.Literal(false) }),
  Type.Object({
    valid: Type.Literal(true),
    api_key_id: Type.String(),
    user_id: Type.String(),
    roles: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    expires_at: Type.Union([DateTime, Type.Null()]),
    api_version: Type.Optional(Type.String()),
    plan: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  }),
]);

export const AuditEntry = Type.Object({
  id: Type.String(),
  time: DateTime,
  actor_id: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export const AuditQuery = Type.Object({
  actor_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  outcome: Type.Optional(
    Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
  ),
  from: Type.Optional(DateTime),
  to: Type.Optional(DateTime),
});

export const SigningKey = Type.Object({
  kid: Type.String(),
  alg: Type.String(),
  state: Type.String({
    description: 'pending (published, not yet signing), active, retired (verifying only) or expired',
  }),
  created_at: DateTime,
  activates_at: DateTime,
});
export const RotateKeyBody = Type.Object({
  activation_delay_seconds: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 86_400,
      description: 'default IDENTITY_KEY_ACTIVATION_DELAY_SECONDS',
    }),
  ),
});

export const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.String())) });

/** `PUT …/plan`: a plan name as portico.yaml's `plans.tiers` spells it, or null to clear it. */
export const PlanBody = Type.Object(
  {
    plan: Type.Union(
      [
        Type.String({
          pattern: '^[a-z][a-z0-9_-]*$',
          maxLength: 64,
          description: 'a plan name (lower case, as under plans.tiers in portico.yaml)',
        }),
        Type.Null(),
      ],
      { description: 'null: no plan of its own', examples: ['pro'] },
    ),
  },
  { examples: [{ plan: 'pro' }] },
);
