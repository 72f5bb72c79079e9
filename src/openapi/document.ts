/**
 * {@link tokenwardOpenApi}: the parts of an OpenAPI 3.1 document that describe tokenward.
 * @packageDocumentation
 */

import { resolveOpenApiOptions, type TokenwardOpenApiOptions } from './options.js';
import { buildPaths } from './paths.js';
import { buildResponses, type TokenwardResponses } from './responses.js';
import { buildSchemas, type TokenwardSchemas } from './schemas.js';
import { buildSecuritySchemes } from './security.js';
import type {
  JsonSchema,
  OpenApiPathItem,
  OpenApiResponse,
  OpenApiTag,
  TokenwardSecurityScheme,
} from './types.js';

/** What {@link tokenwardOpenApi} returns: the parts of an OpenAPI 3.1 document to merge into the application's. */
export interface TokenwardOpenApi {
  /** The components. */
  components: {
    /** The bearer JWT scheme, and the OAuth2 password flow when `oauth2` is on. */
    securitySchemes: { [name: string]: TokenwardSecurityScheme };
    // The index signatures let these stand where OpenAPI typings expect records (e.g. @fastify/swagger's options).
    /** The request and response bodies. */
    schemas: TokenwardSchemas & { [name: string]: JsonSchema };
    /** The error responses of protected operations (see `tokenwardErrorResponses`). */
    responses: TokenwardResponses & { [name: string]: OpenApiResponse };
  };
  /** `POST {prefix}/login`, `/refresh`, `/logout`, and `/token` when `oauth2` is on. */
  paths: { [path: string]: OpenApiPathItem };
  /** The tag of the token-route operations. */
  tags: OpenApiTag[];
}

/**
 * The OpenAPI 3.1 parts describing tokenward: the security schemes, the
 * schemas of the token routes' bodies, the error responses of protected
 * operations, and the path items of the token routes as they answer with the
 * given options. Every call builds new objects: a tool that writes into the
 * result (as `@fastify/swagger` writes into `paths`) changes no other document.
 * @throws AuthError CONFIG_INVALID for a prefix that is neither empty nor starts
 * with `/`, or cookie options `tokenRoutes` refuses.
 * @example
 * ```ts
 * import { mergeTokenwardOpenApi, tokenwardOpenApi } from 'tokenward/openapi';
 *
 * const routeOptions = { findUser, cookie: false as const, oauth2: true };
 * app.use('/auth', tokenRoutes(auth, routeOptions));
 * const document = mergeTokenwardOpenApi(
 *   { openapi: '3.1.0', info: { title: 'API', version: '1.0.0' }, paths: {} },
 *   tokenwardOpenApi({ prefix: '/auth', ...routeOptions }),
 * );
 * ```
 */
export function tokenwardOpenApi(options: TokenwardOpenApiOptions = {}): TokenwardOpenApi {
  const resolved = resolveOpenApiOptions(options);
  return {
    components: {
      securitySchemes: buildSecuritySchemes(resolved),
      schemas: buildSchemas(resolved.maxUsernameLength, resolved.maxPasswordLength),
      responses: buildResponses(),
    },
    paths: buildPaths(resolved),
    tags: [{ name: resolved.tag, description: 'Log in, refresh and log out (tokenward).' }],
  };
}
