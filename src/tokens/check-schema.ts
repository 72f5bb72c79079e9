import type { AuthConfig } from '../config.js';
import { AuthError } from '../errors.js';

/**
 * Runs the configured Standard Schema over a claims set; CLAIM_INVALID names the
 * failing paths (never the values). Returns the claims with the schema's output merged in.
 */
export async function checkClaimsSchema(
  config: AuthConfig,
  claims: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const schema = config.claimsSchema;
  if (!schema) return claims;
  const result = await schema['~standard'].validate(claims);
  if (result.issues) {
    const paths = result.issues.map(
      (issue) =>
        issue.path?.map((part) => (typeof part === 'object' ? part.key : part)).join('.') || '(root)',
    );
    throw new AuthError('CLAIM_INVALID', `the custom claims do not match the schema at: ${paths.join(', ')}`);
  }
  return { ...claims, ...(result.value as Record<string, unknown>) };
}
