/**
 * What `tokenward/openapi` is told about the token routes, and the defaults it resolves.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import { type RefreshCookie, type RefreshCookieOptions, resolveRefreshCookie } from '../lib/http/cookies.js';
import { resolveMountPrefix } from '../lib/http/mount-path.js';
import { isScopeToken } from '../roles/require-scope.js';

/** The names of the security schemes in `components.securitySchemes`. */
export interface TokenwardSchemeNames {
  /** The HTTP bearer (JWT) scheme. Default `bearerAuth`. */
  bearer?: string;
  /** The OAuth2 password-flow scheme. Default `oauth2Password`. */
  oauth2?: string;
}

/**
 * What to document: pass the options given to `tokenRoutes` (`cookie`,
 * `oauth2`, the length limits) and where the routes are mounted, so that the
 * document says what those routes do.
 */
export interface TokenwardOpenApiOptions {
  /** Where the token routes are mounted (`app.use('/auth', ...)`, Fastify's `prefix`). Default `/auth`. */
  prefix?: string;
  /**
   * The `cookie` option of `tokenRoutes`: the refresh token travels in that
   * cookie, or, with `false`, in the JSON body as `refreshToken`. Default: the cookie.
   */
  cookie?: false | RefreshCookieOptions;
  /**
   * The `oauth2` option of `tokenRoutes`: `true` documents `POST {prefix}/token`
   * (RFC 6749 password and refresh grants) and the OAuth2 password-flow
   * security scheme that Swagger UI's "Authorize" dialog logs in with. Default `false`.
   */
  oauth2?: boolean;
  /**
   * The `sessions` option of `tokenRoutes`: `true` documents `GET {prefix}/sessions`,
   * `DELETE {prefix}/sessions` and `DELETE {prefix}/sessions/{id}` (the device page). Default `false`.
   */
  sessions?: boolean;
  /**
   * The OAuth2 flow's `tokenUrl` (and `refreshUrl`). Default `{prefix}/token`,
   * resolved against the document's `servers`; give an absolute URL when they
   * do not point at the application.
   */
  tokenUrl?: string;
  /** The `maxUsernameLength` option of `tokenRoutes`, documented as the user name's `maxLength`. */
  maxUsernameLength?: number;
  /** The `maxPasswordLength` option of `tokenRoutes`, documented as the password's `maxLength`. */
  maxPasswordLength?: number;
  /** The names of the security schemes. */
  schemeNames?: TokenwardSchemeNames;
  /** The tag of the token-route operations. Default `Authentication`. */
  tag?: string;
  /**
   * The scopes the `grantScopes` option of `tokenRoutes` may grant, each with its description
   * (`{ 'read:notes': 'Read notes' }`): listed in the OAuth2 password flow, so that Swagger UI's
   * "Authorize" dialog offers them. Default: none.
   */
  oauth2Scopes?: Readonly<Record<string, string>>;
}

const DEFAULT_PREFIX = '/auth';
const DEFAULT_BEARER_SCHEME = 'bearerAuth';
const DEFAULT_OAUTH2_SCHEME = 'oauth2Password';
const DEFAULT_TAG = 'Authentication';

/** The options with their defaults applied, as the other modules read them. */
export interface ResolvedOpenApiOptions {
  /** The mount prefix without trailing slashes: `''` for the root. */
  readonly prefix: string;
  readonly oauth2: boolean;
  readonly sessions: boolean;
  readonly schemeNames: Required<TokenwardSchemeNames>;
  readonly tag: string;
  readonly tokenUrl: string;
  /** The refresh cookie as `tokenRoutes` resolves it, or `undefined` when it is off. */
  readonly cookie: RefreshCookie | undefined;
  readonly maxUsernameLength: number | undefined;
  readonly maxPasswordLength: number | undefined;
  /** The scopes of the OAuth2 password flow, with their descriptions. */
  readonly oauth2Scopes: Readonly<Record<string, string>>;
}

/** The scheme names with their defaults. */
export function schemeNamesOf(
  options: Pick<TokenwardOpenApiOptions, 'schemeNames'>,
): Required<TokenwardSchemeNames> {
  return {
    bearer: options.schemeNames?.bearer ?? DEFAULT_BEARER_SCHEME,
    oauth2: options.schemeNames?.oauth2 ?? DEFAULT_OAUTH2_SCHEME,
  };
}

/**
 * Applies the defaults and checks the options the way `tokenRoutes` does.
 * @throws AuthError CONFIG_INVALID for a prefix that is neither empty nor starts
 * with `/`, or cookie options `tokenRoutes` refuses.
 */
export function resolveOpenApiOptions(options: TokenwardOpenApiOptions): ResolvedOpenApiOptions {
  // The one mount-path rule (mount-path.ts): trailing slashes trimmed in one pass, no regex to backtrack.
  const prefix = resolveMountPrefix(options.prefix ?? DEFAULT_PREFIX);
  return {
    prefix,
    oauth2: options.oauth2 === true,
    sessions: options.sessions === true,
    schemeNames: schemeNamesOf(options),
    tag: options.tag ?? DEFAULT_TAG,
    tokenUrl: options.tokenUrl ?? `${prefix}/token`,
    // Resolved like tokenRoutes resolves it, so the documented cookie is the one the browser gets.
    cookie: options.cookie === false ? undefined : resolveRefreshCookie(options.cookie ?? {}, false),
    maxUsernameLength: options.maxUsernameLength,
    maxPasswordLength: options.maxPasswordLength,
    oauth2Scopes: resolveScopes(options.oauth2Scopes),
  };
}

/**
 * The `oauth2Scopes` option, checked: each name a scope-token (RFC 6749 3.3), each description a string.
 * @throws AuthError CONFIG_INVALID otherwise.
 */
function resolveScopes(scopes: unknown): Readonly<Record<string, string>> {
  if (scopes === undefined) return {};
  if (typeof scopes !== 'object' || scopes === null || Array.isArray(scopes))
    throw new AuthError('CONFIG_INVALID', 'oauth2Scopes must map each scope to its description');
  // A plain copy of the own entries: a scope named __proto__ stays a scope, not a prototype.
  const resolved: Record<string, string> = Object.create(null);
  for (const [scope, description] of Object.entries(scopes)) {
    if (!isScopeToken(scope) || typeof description !== 'string')
      throw new AuthError(
        'CONFIG_INVALID',
        `oauth2Scopes: "${scope}" needs a scope-token name and a description`,
      );
    resolved[scope] = description;
  }
  return resolved;
}
