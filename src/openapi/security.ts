/**
 * The security schemes of tokenward's access tokens, and the `security` list of a protected operation.
 * @packageDocumentation
 */

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
  const { prefix, oauth2, schemeNames, tokenUrl } = options;
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
      flows: { password: { tokenUrl, refreshUrl: tokenUrl, scopes: {} } },
    };
    schemes[schemeNames.oauth2] = password;
  }
  return schemes;
}

/**
 * The `security` list of an operation protected by `authenticate`: the bearer
 * scheme, or the OAuth2 password scheme when `oauth2` is on (the requirements
 * are alternatives; both send `Authorization: Bearer`).
 * @example
 * ```ts
 * const openapi = { oauth2: true };
 * paths['/me'] = {
 *   get: { security: tokenwardSecurity(openapi), responses: { ...tokenwardErrorResponses(), '200': meResponse } },
 * };
 * ```
 */
export function tokenwardSecurity(
  options: Pick<TokenwardOpenApiOptions, 'oauth2' | 'schemeNames'> = {},
): SecurityRequirement[] {
  const names = schemeNamesOf(options);
  const requirements: SecurityRequirement[] = [{ [names.bearer]: [] }];
  if (options.oauth2 === true) requirements.push({ [names.oauth2]: [] });
  return requirements;
}
