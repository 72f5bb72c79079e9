/**
 * tokenward: JWT authentication for Node.js services. Access tokens, rotating
 * refresh tokens with reuse detection, revocation and roles, on `jose`.
 * @packageDocumentation
 */
export { type Auth, type AuthSettings, createAuth, type TokenInput } from './create-auth.js';
export {
  AUTH_ERROR_CODES,
  AuthError,
  type AuthErrorCode,
  type AuthErrorCodeInfo,
  type AuthErrorOptions,
  type BearerErrorValue,
  isAuthError,
} from './errors.js';
export type { IssuerOptions } from './keys/issuer-set.js';
export type { RemoteJwksOptions } from './keys/remote-jwks.js';
export type { Duration } from './lib/duration.js';
export type { Register } from './register.js';
export {
  hasRole,
  type RoleArguments,
  type RoleBearer,
  type RoleCheckOptions,
  type RoleHierarchy,
  type RoleRequirementOptions,
  requireAllRoles,
  requireRole,
} from './roles/require-role.js';
export {
  hasScope,
  InsufficientScopeError,
  isScopeToken,
  requireAnyScope,
  requireScope,
  SCOPE_CLAIM_NAMES,
  type ScopeArguments,
  type ScopeBearer,
  type ScopeCheckOptions,
  type ScopeClaimName,
  type ScopeRequirementOptions,
} from './roles/require-scope.js';
export { MemoryTokenStore, type MemoryTokenStoreOptions } from './stores/memory.js';
export type {
  AccessTokenRef,
  ListSessionsInput,
  NewRefreshFamily,
  RefreshFamilyRef,
  RefreshTokenRef,
  RefreshTokenState,
  RevokeAccessTokenInput,
  RevokeSubjectInput,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  SessionRecord,
  TokenStore,
} from './stores/token-store.js';
export { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE } from './tokens/check-type.js';
export type {
  AccessTokenClaims,
  AuthEvent,
  AuthOptions,
  CustomClaims,
  IssueTokensOptions,
  JsonWebKeySet,
  JwsAlgorithm,
  KeyEntry,
  KeysOption,
  LoadedSubject,
  RefreshTokenClaims,
  RegisteredClaims,
  ReservedClaimName,
  Session,
  TokenPair,
  TokenSubject,
  VerifyOptions,
} from './types.js';
