/**
 * The size limit on tokens, checked before any decoding.
 * @packageDocumentation
 */

/** The largest token accepted by default, in bytes (`maxTokenSize`). */
export const DEFAULT_MAX_TOKEN_SIZE = 8192;
