import { AuthError } from './errors.js';
import { isNoneAlgorithm, JWKS_ALGORITHMS } from './keys/algorithms.js';
import type { PreparedKey } from './keys/import-key.js';
import { resolveIssuers } from './keys/issuer-set.js';
import { type KeySet, keySetFromJwks, keySetFromKeys } from './keys/key-set.js';
import { remoteJwks } from './keys/remote-jwks.js';
import { toSeconds } from './lib/duration.js';
import { createStoreCall, type StoreCall } from './lib/store-call.js';
import type { RoleHierarchy } from './roles/require-role.js';
import { resolveScopeClaims, type ScopeClaimName } from './roles/require-scope.js';
import { MemoryTokenStore } from './stores/memory.js';
import type { TokenStore } from './stores/token-store.js';
import { ACCESS_TOKEN_TYPE, normalizeType, REFRESH_TOKEN_TYPE } from './tokens/check-type.js';
import type { IssuerPolicies } from './tokens/issuer-policy.js';
import { DEFAULT_MAX_TOKEN_SIZE } from './tokens/token-size.js';
import { createVerifyCache, type VerifyCache } from './tokens/verify-cache.js';
import type { KeyLookup } from './tokens/verify-signature.js';
import type { AuthEvent, AuthOptions, JsonWebKeySet } from './types.js';

/** The resolved configuration of one `createAuth` instance, shared by its capabilities. */
export interface AuthConfig {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds. */
  readonly accessTtl: number;
  /** Seconds. */
  readonly refreshTtl: number;
  /** Seconds, or `undefined` for unbounded families. */
  readonly familyTtl: number | undefined;
  /** Seconds. */
  readonly clockTolerance: number;
  readonly reuseGraceMs: number;
  readonly maxTokenSize: number;
  readonly checkRevocation: boolean;
  /** Normalised `typ` values accepted for access tokens. */
  readonly accessTypes: ReadonlySet<string>;
  /** The algorithm allowlist. */
  readonly algorithms: ReadonlySet<string>;
  /** Finds the keys that may have signed a token. */
  readonly lookup: KeyLookup;
  /**
   * The trusted issuers of a verify-only instance built with `issuers`, each with its keys and
   * policy; `undefined` otherwise (then `issuer`, `audience`, `lookup` and the rest apply).
   */
  readonly issuers: IssuerPolicies | undefined;
  /** The local keys, unless a remote JWKS is used. */
  readonly keySet: KeySet | undefined;
  /** The key that signs, if this instance issues tokens. */
  readonly signingKey: PreparedKey | undefined;
  readonly claimsSchema: AuthOptions['claimsSchema'];
  readonly roleHierarchy: RoleHierarchy | undefined;
  /** The claims scope checks read. */
  readonly scopeClaims: readonly ScopeClaimName[];
  readonly clock: () => number;
  /** Looks up the subject's current roles and claims at refresh, when the app gives it. */
  readonly loadSubject: ((subject: string) => unknown) | undefined;
  readonly storeCall: StoreCall;
  /** The verified-token cache, when the `verifyCache` option turns it on. */
  readonly verifyCache: VerifyCache | undefined;
  /** Sends an audit event; never throws. */
  readonly emit: (event: Omit<AuthEvent, 'at'>) => void;
}

/**
 * The default `storeTimeoutMs`. A store on the same network (Redis, a database on
 * an index) answers in about a millisecond, and a store call sits on every
 * refresh and, with `checkRevocation`, on every request: a second is hundreds of
 * times its usual answer, room for a GC pause or a reconnect, yet short enough
 * that a store that hangs fails requests fast (STORE_UNAVAILABLE) instead of
 * piling them up for seconds each.
 */
export const DEFAULT_STORE_TIMEOUT_MS = 1000;

/**
 * The default `refreshReuseGrace`, in seconds. A store may commit a rotation and
 * answer after `storeTimeoutMs`: the client gets STORE_UNAVAILABLE, keeps its
 * token and retries. Its retry must not look like theft, so the previous token
 * may rotate again for this long: one store timeout (1 s by default) plus a
 * client's retry after a short backoff (a few seconds). It is also the window in
 * which a stolen, just-rotated token could still be used once, so it stays short;
 * such a use replaces the live token, and the real client's next refresh is then
 * reuse, which revokes the family.
 */
export const DEFAULT_REFRESH_REUSE_GRACE_SECONDS = 10;

// Typed as a record of every option, so the compiler keeps it in step with AuthOptions.
const KNOWN_OPTIONS: { readonly [Name in keyof Required<AuthOptions>]: true } = {
  keys: true,
  jwks: true,
  jwksOptions: true,
  issuers: true,
  algorithms: true,
  issuer: true,
  audience: true,
  accessTokenTtl: true,
  refreshTokenTtl: true,
  refreshFamilyTtl: true,
  clockTolerance: true,
  refreshReuseGrace: true,
  accessTokenType: true,
  maxTokenSize: true,
  store: true,
  storeTimeoutMs: true,
  checkRevocation: true,
  verifyCache: true,
  claimsSchema: true,
  roles: true,
  roleHierarchy: true,
  scopeClaims: true,
  onEvent: true,
  clock: true,
  loadSubject: true,
};

function invalid(message: string): never {
  throw new AuthError('CONFIG_INVALID', message);
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') invalid(`${name} must be a non-empty string`);
  return value;
}

function algorithmList(value: unknown): Set<string> {
  if (!Array.isArray(value) || value.length === 0 || !value.every((alg) => typeof alg === 'string')) {
    invalid('algorithms must be a non-empty array of algorithm names');
  }
  if (value.some(isNoneAlgorithm)) invalid('algorithms: "none" is never allowed');
  return new Set(value);
}

/** The allowlist with local keys: the keys' own algorithms, narrowed by `algorithms` when given. */
function narrowedAlgorithms(keySet: KeySet, listed: ReadonlySet<string> | undefined): ReadonlySet<string> {
  if (listed === undefined) return keySet.algorithms;
  const own = [...keySet.algorithms].join(', ');
  for (const alg of listed) {
    if (!keySet.algorithms.has(alg)) invalid(`algorithms: ${alg} matches none of the keys (they use ${own})`);
  }
  const signingAlg = keySet.signingKey?.alg;
  if (signingAlg !== undefined && !listed.has(signingAlg)) {
    invalid(`algorithms must include ${signingAlg}, the algorithm of the signing key`);
  }
  return listed;
}

function resolveKeys(options: AuthOptions): {
  keySet: KeySet | undefined;
  lookup: KeyLookup;
  algorithms: ReadonlySet<string>;
} {
  const listed = options.algorithms === undefined ? undefined : algorithmList(options.algorithms);
  if ('keys' in options) {
    const keySet = keySetFromKeys(options.keys as NonNullable<AuthOptions['keys']>);
    if (options.jwksOptions !== undefined) invalid('jwksOptions applies to a remote jwks, not to keys');
    const lookup: KeyLookup = (header, alg) =>
      keySet.candidates(header.kid as string | undefined, alg).map((key) => key.verifyKey);
    return { keySet, lookup, algorithms: narrowedAlgorithms(keySet, listed) };
  }
  const algorithms = listed ?? new Set<string>(JWKS_ALGORITHMS);
  for (const alg of algorithms) {
    if (!(JWKS_ALGORITHMS as readonly string[]).includes(alg)) {
      invalid(`algorithms: ${alg} is not accepted from a JWKS (use ${JWKS_ALGORITHMS.join(', ')})`);
    }
  }
  if (typeof options.jwks === 'string' || options.jwks instanceof URL) {
    return {
      keySet: undefined,
      lookup: remoteJwks(options.jwks, algorithms, options.jwksOptions),
      algorithms,
    };
  }
  const keySet = keySetFromJwks(options.jwks as JsonWebKeySet, algorithms);
  const lookup: KeyLookup = (header, alg) =>
    keySet.candidates(header.kid as string | undefined, alg).map((key) => key.verifyKey);
  return { keySet, lookup, algorithms };
}

// The options an `issuers` entry sets for its own issuer: given at the top level as well, which
// issuer would they apply to?
const PER_ISSUER_OPTIONS = [
  'keys',
  'jwks',
  'issuer',
  'audience',
  'algorithms',
  'accessTokenType',
  'accessTokenTtl',
] as const;

/** The `issuers` option (a verify-only instance of several issuers), resolved. */
function resolveIssuersOption(options: AuthOptions): IssuerPolicies {
  for (const name of PER_ISSUER_OPTIONS) {
    if (options[name] !== undefined)
      invalid(`with issuers, set ${name} in each issuers entry, not at the top level`);
  }
  // The store knows only the tokens this library issued; other issuers' tokens have no state in it.
  if (options.checkRevocation === true) invalid('checkRevocation does not apply to tokens of other issuers');
  return resolveIssuers(options.issuers as NonNullable<AuthOptions['issuers']>, options.jwksOptions);
}

/** An instance of several issuers has no keys of its own: each token is checked with its issuer's. */
function issuerKeys(issuers: IssuerPolicies): ReturnType<typeof resolveKeys> {
  const algorithms = new Set<string>();
  for (const policy of issuers.values()) for (const alg of policy.algorithms) algorithms.add(alg);
  return { keySet: undefined, lookup: () => [], algorithms };
}

function firstIssuer(issuers: IssuerPolicies | undefined) {
  return issuers?.values().next().value;
}

/** What `settings.audience` reports for an instance of several issuers: its first issuer's. */
function firstAudience(issuers: IssuerPolicies | undefined): string | undefined {
  const first = firstIssuer(issuers);
  return first && ([...(first.audiences ?? first.clientIds ?? [])][0] as string | undefined);
}

/** Checks the options of `createAuth` and resolves their defaults; throws CONFIG_INVALID. */
export function resolveConfig(options: AuthOptions): AuthConfig {
  if (typeof options !== 'object' || options === null) invalid('createAuth needs an options object');
  // A misspelt option would otherwise be ignored in silence, e.g. a revocation check that never runs.
  for (const name of Object.keys(options)) {
    if (!Object.hasOwn(KNOWN_OPTIONS, name)) {
      invalid(`unknown option "${name}" (the options are: ${Object.keys(KNOWN_OPTIONS).join(', ')})`);
    }
  }
  const issuers = options.issuers === undefined ? undefined : resolveIssuersOption(options);
  const hasKeys = 'keys' in options;
  if (issuers === undefined && hasKeys === (options.jwks !== undefined)) {
    invalid(
      hasKeys
        ? 'give either keys or jwks, not both'
        : 'give keys (a secret of 32+ bytes or key pairs) or a jwks to verify with',
    );
  }
  const maxTokenSize = options.maxTokenSize ?? DEFAULT_MAX_TOKEN_SIZE;
  if (!Number.isInteger(maxTokenSize) || maxTokenSize < 256)
    invalid('maxTokenSize must be an integer of at least 256');
  const storeTimeoutMs = options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  if (typeof storeTimeoutMs !== 'number' || !(storeTimeoutMs > 0) || !Number.isFinite(storeTimeoutMs))
    invalid('storeTimeoutMs must be a positive number of milliseconds');
  if (options.loadSubject !== undefined && typeof options.loadSubject !== 'function')
    invalid('loadSubject must be a function (subject) => { roles, claims } | null');
  const typeList =
    typeof options.accessTokenType === 'string'
      ? [options.accessTokenType]
      : (options.accessTokenType ?? [ACCESS_TOKEN_TYPE]);
  const accessTypes: ReadonlySet<string> = new Set(typeList.map((typ) => normalizeType(typ) ?? ''));
  if (accessTypes.has(REFRESH_TOKEN_TYPE) || accessTypes.has('')) {
    invalid('accessTokenType must be non-empty and differ from the refresh token type');
  }
  const { keySet, lookup, algorithms } = issuers === undefined ? resolveKeys(options) : issuerKeys(issuers);

  let store: TokenStore | undefined = options.store;
  // The default store is made on first use, so a verify-only service never holds one.
  const getStore = (): TokenStore => {
    if (store === undefined) store = new MemoryTokenStore();
    return store;
  };
  // Read the global Date on every call rather than keeping Date.now itself: fake timers
  // (vi.useFakeTimers, jest) replace Date after createAuth, and a test of expiry must see them.
  const clock = options.clock ?? (() => Date.now());
  const onEvent = options.onEvent;

  return {
    issuer: nonEmpty(options.issuer ?? firstIssuer(issuers)?.issuer ?? 'tokenward', 'issuer'),
    audience: nonEmpty(options.audience ?? firstAudience(issuers) ?? 'tokenward', 'audience'),
    issuers,
    accessTtl: toSeconds(options.accessTokenTtl ?? '15m', 'accessTokenTtl'),
    refreshTtl: toSeconds(options.refreshTokenTtl ?? '7d', 'refreshTokenTtl'),
    familyTtl:
      options.refreshFamilyTtl === undefined
        ? undefined
        : toSeconds(options.refreshFamilyTtl, 'refreshFamilyTtl'),
    clockTolerance: toSeconds(options.clockTolerance ?? '5s', 'clockTolerance', { allowZero: true }),
    reuseGraceMs:
      toSeconds(options.refreshReuseGrace ?? DEFAULT_REFRESH_REUSE_GRACE_SECONDS, 'refreshReuseGrace', {
        allowZero: true,
      }) * 1000,
    maxTokenSize,
    checkRevocation: options.checkRevocation ?? false,
    accessTypes,
    algorithms,
    lookup,
    keySet,
    signingKey: keySet?.signingKey,
    claimsSchema: options.claimsSchema,
    roleHierarchy: options.roleHierarchy as RoleHierarchy | undefined,
    scopeClaims: resolveScopeClaims(options.scopeClaims),
    clock,
    loadSubject: options.loadSubject as AuthConfig['loadSubject'],
    storeCall: createStoreCall(getStore, storeTimeoutMs),
    verifyCache: options.verifyCache === undefined ? undefined : createVerifyCache(options.verifyCache),
    emit(event) {
      if (!onEvent) return;
      try {
        const result = onEvent({ ...event, at: clock() });
        if (result && typeof result.then === 'function') result.then(undefined, () => {});
      } catch {
        // An audit hook never breaks authentication.
      }
    },
  };
}
