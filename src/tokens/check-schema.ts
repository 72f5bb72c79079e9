import type { AuthConfig } from '../config.js';
import { AuthError } from '../errors.js';

/**
 * Whose claims the schema judges: a received token's (`'received'`: a failure is
 * the client's, CLAIM_INVALID, 401) or claims this server is about to sign
 * (`'issued'`: a failure is the server's own bug, CONFIG_INVALID, 500, so that
 * the client is not told to log in again).
 */
export type ClaimsOrigin = 'received' | 'issued';

/**
 * Runs the configured Standard Schema over a claims set. A failure names the
 * failing paths (never the values). Returns the claims with the schema's output merged in.
 */
export async function checkClaimsSchema(
  config: AuthConfig,
  claims: Record<string, unknown>,
  origin: ClaimsOrigin = 'received',
): Promise<Record<string, unknown>> {
  const schema = config.claimsSchema;
  if (!schema) return claims;
  const result = await schema['~standard'].validate(claims);
  if (result.issues) {
    const paths = result.issues
      .map(
        (issue) =>
          issue.path?.map((part) => (typeof part === 'object' ? part.key : part)).join('.') || '(root)',
      )
      .join(', ');
    if (origin === 'issued') {
      throw new AuthError(
        'CONFIG_INVALID',
        `the claims schema refused the claims to be issued (at: ${paths}): the claims given to issue tokens, or carried into a refresh, do not match claimsSchema`,
      );
    }
    throw new AuthError('CLAIM_INVALID', `the custom claims do not match the schema at: ${paths}`);
  }
  return { ...claims, ...(result.value as Record<string, unknown>) };
}
