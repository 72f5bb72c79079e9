/**
 * The OpenAPI 3.1 document of the example app, shared by the Express example
 * (served with swagger-ui-express) and the Fastify example (handed to
 * @fastify/swagger): tokenward's security schemes, schemas and token-route
 * path items, merged with the app's two protected routes.
 */

import type { TokenRoutesOptions } from 'tokenward/express';
import {
  mergeTokenwardOpenApi,
  type TokenwardOpenApiOptions,
  tokenwardErrorResponses,
  tokenwardOpenApi,
  tokenwardSecurity,
} from 'tokenward/openapi';
import type { ExampleRole } from './users.js';

/** Where every example mounts its token routes. */
export const AUTH_PREFIX = '/auth';

// Plain JSON Schema 2020-12 (tokenward's JsonSchema type only covers its own schemas' keywords).
const ME_SCHEMA = {
  type: 'object',
  required: ['sub', 'username', 'roles'],
  properties: {
    sub: { type: 'string', description: 'The subject of the access token.' },
    username: { type: ['string', 'null'], description: 'Its login name, if the user still exists.' },
    roles: { type: 'array', items: { type: 'string' }, description: 'The roles the token carries.' },
  },
};

const DASHBOARD_SCHEMA = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' } },
};

/**
 * The example's OpenAPI document, describing the token routes as they answer
 * with `routeOptions` (the options the app passes to `tokenRoutes`, `oauth2`
 * included), mounted at {@link AUTH_PREFIX}.
 */
export function exampleOpenApiDocument(routeOptions: TokenRoutesOptions<ExampleRole>) {
  // The same options as the routes, so the document says what they do (cookie, /token, length limits).
  const openapi: TokenwardOpenApiOptions = {
    prefix: AUTH_PREFIX,
    oauth2: routeOptions.oauth2 === true,
    sessions: routeOptions.sessions === true,
    ...(routeOptions.cookie === undefined ? {} : { cookie: routeOptions.cookie }),
    ...(routeOptions.maxUsernameLength === undefined
      ? {}
      : { maxUsernameLength: routeOptions.maxUsernameLength }),
    ...(routeOptions.maxPasswordLength === undefined
      ? {}
      : { maxPasswordLength: routeOptions.maxPasswordLength }),
  };
  const json = (schema: object) => ({ 'application/json': { schema } });
  return mergeTokenwardOpenApi(
    {
      openapi: '3.1.0',
      info: {
        title: 'tokenward example',
        version: '1.0.0',
        description:
          'Log in with "Authorize" (alice / wonderland is an admin, bob / builder is not), then "Try it out".',
      },
      paths: {
        '/me': {
          get: {
            operationId: 'me',
            summary: 'Who the access token says the caller is',
            security: tokenwardSecurity(openapi),
            responses: {
              '200': { description: 'The caller.', content: json(ME_SCHEMA) },
              ...tokenwardErrorResponses(),
            },
          },
        },
        '/admin/dashboard': {
          get: {
            operationId: 'adminDashboard',
            summary: 'The admin dashboard (role `admin`)',
            security: tokenwardSecurity(openapi),
            responses: {
              '200': { description: 'The greeting.', content: json(DASHBOARD_SCHEMA) },
              ...tokenwardErrorResponses(),
            },
          },
        },
      },
    },
    tokenwardOpenApi(openapi),
  );
}

/** The example's OpenAPI document. */
export type ExampleOpenApiDocument = ReturnType<typeof exampleOpenApiDocument>;
