/**
 * What the gateway uses from the kit, in one place. The kit's barrel (`@portico/kit`) is
 * being written; until it exports these, they are imported from their files.
 */
export {
  derivePassportKey,
  mintPassport,
  verifyPassport,
  PASSPORT_HEADER,
  PASSPORT_TTL_SECONDS,
} from '../../kit/src/auth/passport.ts';
export type { Caller } from '../../kit/src/auth/caller.ts';
export { permissionsForRoles, permissionScope } from '../../kit/src/auth/permissions.ts';
export {
  answerClientError,
  problem,
  PROBLEM_CONTENT_TYPE,
  type ProblemBody,
} from '../../kit/src/errors/problem.ts';
export { problemRegistry, PROBLEM_BASE, type ProblemCode } from '../../kit/src/errors/registry.ts';
export type { EventBus, Subscription } from '../../kit/src/events/bus.ts';
export { makeEvent, type EventEnvelope } from '../../kit/src/events/envelope.ts';
export {
  TOKEN_ISSUER,
  TOKEN_AUDIENCE,
  TOKEN_ALGORITHMS,
  JWKS_PATH,
  API_KEY_PREFIX,
  API_KEY_VERIFY_PATH,
  IDENTITY_EVENTS,
  type AccessTokenClaims,
  type ApiKeyVerifyResponse,
  type SessionRevokedData,
  type ApiKeyRevokedData,
  type UserDisabledData,
  type AccessDeniedData,
} from '../../kit/src/contracts/identity.ts';
