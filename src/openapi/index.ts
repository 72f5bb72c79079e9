/**
 * `tokenward/openapi`: the OpenAPI 3.1 description of tokenward's token routes
 * and security schemes, as plain data to merge into an application's document
 * (for `@fastify/swagger`, `swagger-ui-express`, or any other OpenAPI tool).
 *
 * Framework-free: it imports no framework and touches no request.
 * @packageDocumentation
 */

export { type TokenwardOpenApi, tokenwardOpenApi } from './document.js';
export { mergeTokenwardOpenApi, type OpenApiDocumentLike } from './merge.js';
export type { TokenwardOpenApiOptions, TokenwardSchemeNames } from './options.js';
export {
  type FastifyResponseSchema,
  type TokenwardErrorResponsesOptions,
  type TokenwardResponses,
  tokenwardErrorResponses,
} from './responses.js';
export type { TokenwardSchemas } from './schemas.js';
export { type TokenwardSecurityOptions, tokenwardSecurity } from './security.js';
export type {
  HttpBearerSecurityScheme,
  JsonArraySchema,
  JsonSchema,
  JsonSchemaType,
  OAuth2PasswordSecurityScheme,
  OpenApiHeader,
  OpenApiMediaType,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiPathItem,
  OpenApiReference,
  OpenApiRequestBody,
  OpenApiResponse,
  OpenApiTag,
  SecurityRequirement,
  TokenwardSecurityScheme,
} from './types.js';
