/**
 * The rule for a key id (`kid`), for key import and for `tokenward keygen`.
 * @packageDocumentation
 */

/** The longest `kid` accepted, in characters. */
export const MAX_KID_LENGTH = 256;

/** What is wrong with a would-be `kid`, or `undefined` when it is acceptable: a non-empty string of at most {@link MAX_KID_LENGTH} characters. */
export function kidProblem(kid: unknown): string | undefined {
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) {
    return `a kid must be a non-empty string of at most ${MAX_KID_LENGTH} characters`;
  }
  return undefined;
}
