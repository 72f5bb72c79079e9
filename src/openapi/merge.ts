/**
 * {@link mergeTokenwardOpenApi}: tokenward's parts added to the application's OpenAPI document.
 * @packageDocumentation
 */

import { AuthError } from '../errors.js';
import type { TokenwardOpenApi } from './document.js';
import type { OpenApiTag } from './types.js';

/** The parts of an OpenAPI document that {@link mergeTokenwardOpenApi} reads and extends. */
export interface OpenApiDocumentLike {
  /** The path items. */
  paths?: { [path: string]: unknown };
  /** The components, by section (`schemas`, `securitySchemes`, ...). */
  components?: { [section: string]: { [name: string]: unknown } | undefined };
  /** The tags. */
  tags?: OpenApiTag[];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mergeEntries(
  where: string,
  existing: { [name: string]: unknown } | undefined,
  added: { [name: string]: unknown },
): { [name: string]: unknown } {
  const merged: { [name: string]: unknown } = { ...existing };
  for (const [name, value] of Object.entries(added)) {
    // Overwriting the application's own entry would silently change its API description.
    if (name in merged && !sameJson(merged[name], value)) {
      throw new AuthError('CONFIG_INVALID', `${where} already has a different ${JSON.stringify(name)}`);
    }
    // A copy: a tool writing into the merged document must not reach into the part (or the reverse).
    merged[name] = structuredClone(value);
  }
  return merged;
}

/**
 * A copy of the document with tokenward's paths, components and tag added
 * (the document itself is left unchanged, and the added entries are copies of
 * the part's). Merging twice changes nothing.
 * @throws AuthError CONFIG_INVALID when the document already has a different
 * path, component or security scheme of the same name.
 * @example
 * ```ts
 * const document = mergeTokenwardOpenApi(
 *   { openapi: '3.1.0', info: { title: 'API', version: '1.0.0' }, paths: { '/me': mePathItem } },
 *   tokenwardOpenApi({ prefix: '/auth' }),
 * );
 * app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));
 * ```
 */
export function mergeTokenwardOpenApi<Document extends OpenApiDocumentLike>(
  document: Document,
  part: TokenwardOpenApi,
): Document {
  const components: { [section: string]: { [name: string]: unknown } | undefined } = {
    ...document.components,
  };
  for (const [section, entries] of Object.entries(part.components)) {
    // A spread copy: the named-entry interfaces become plain records.
    components[section] = mergeEntries(`components.${section}`, components[section], { ...entries });
  }
  const tags = [...(document.tags ?? [])];
  for (const tag of part.tags)
    if (!tags.some((existing) => existing.name === tag.name)) tags.push({ ...tag });
  return {
    ...document,
    paths: mergeEntries('paths', document.paths, part.paths),
    components,
    tags,
  };
}
