/**
 * The security schemes of tokenward's access tokens, and the `security` list of a protected operation.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import { isScopeToken } from '../roles/require-scope.js';
import { type ResolvedOpenApiOptions, schemeNamesOf, type TokenwardOpenApiOptions } from './options.js';
import type {
  HttpBearerSecurityScheme,
  OAuth2PasswordSecurityScheme,
  SecurityRequirement,
  TokenwardSecurityScheme,
} from './types.js';

/** The bearer JWT scheme, and the OAuth2 password flow when `oauth2` is on. */
export function buildSecuritySchemes(options: ResolvedOpenApiOptions): {
  [name: string]: TokenwardSecurityScheme;
} {
  const { prefix, oauth2, schemeNames, tokenUrl, oauth2Scopes } = options;
  const bearer: HttpBearerSecurityScheme = {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: `An access token from \`POST ${prefix}/login\`${oauth2 ? ` or \`${prefix}/token\`` : ''}.`,
  };
  const schemes: { [name: string]: TokenwardSecurityScheme } = { [schemeNames.bearer]: bearer };
  if (oauth2) {
    const password: OAuth2PasswordSecurityScheme = {
      type: 'oauth2',
      description:
        'The OAuth2 password grant (RFC 6749 4.3) of the token endpoint; the client id is not checked.',
      flows: { password: { tokenUrl, refreshUrl: tokenUrl, scopes: { ...oauth2Scopes } } },
    };
    schemes[schemeNames.oauth2] = password;
  }
  return schemes;
}

/** Options of {@link tokenwardSecurity}: the document's `oauth2` and `schemeNames`, and the scopes the operation requires. */
export interface TokenwardSecurityOptions extends Pick<TokenwardOpenApiOptions, 'oauth2' | 'schemeNames'> {
  /**
   * The scopes the operation requires, every one (`requireScope`), put in each requirement: the
   * OAuth2 scheme's scopes, and the bearer scheme's role list that OpenAPI 3.1 allows. Default: none.
   */
  scopes?: readonly string[];
}

/**
 * The `security` list of an operation protected by `authenticate`: the bearer
 * scheme, or the OAuth2 password scheme when `oauth2` is on (the requirements
 * are alternatives; both send `Authorization: Bearer`), each naming the operation's `scopes`.
 * @example
 * ```ts
 * const openapi = { oauth2: true };
 * paths['/me'] = {
 *   get: { security: tokenwardSecurity(openapi), responses: { ...tokenwardErrorResponses(), '200': meResponse } },
 * };
 * paths['/notes'] = { post: { security: tokenwardSecurity({ ...openapi, scopes: ['write:notes'] }), ... } };
 * ```
 * @throws AuthError CONFIG_INVALID for a scope that is not a scope-token (RFC 6749 3.3).
 */
export function tokenwardSecurity(options: TokenwardSecurityOptions = {}): SecurityRequirement[] {
  const names = schemeNamesOf(options);
  const scopes = options.scopes ?? [];
  if (!Array.isArray(scopes) || !scopes.every(isScopeToken))
    throw new AuthError('CONFIG_INVALID', 'tokenwardSecurity: scopes must be a list of scope-tokens');
  const requirements: SecurityRequirement[] = [{ [names.bearer]: [...scopes] }];
  if (options.oauth2 === true) requirements.push({ [names.oauth2]: [...scopes] });
  return requirements;
}
