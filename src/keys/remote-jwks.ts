import { createRemoteJWKSet, type JWSHeaderParameters } from 'jose';
import { AuthError } from '../errors.js';

/** Options of the remote JWKS fetch. */
export interface RemoteJwksOptions {
  timeoutDuration?: number;
  cooldownDuration?: number;
  cacheMaxAge?: number;
}

/** A key as jose's remote JWKS hands it out. */
export type RemoteKey = Awaited<ReturnType<ReturnType<typeof createRemoteJWKSet>>>;

/** Finds the verification keys for a token header in a remote JWKS. */
export type RemoteKeyLookup = (header: Readonly<Record<string, unknown>>) => Promise<readonly RemoteKey[]>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A remote JWKS through jose's `createRemoteJWKSet` (fetched on demand, cached,
 * refetched on an unknown `kid` after a cooldown). Only https URLs, or http on
 * loopback for development.
 */
export function remoteJwks(url: string | URL, options: RemoteJwksOptions = {}): RemoteKeyLookup {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthError('CONFIG_INVALID', 'jwks: not a valid URL');
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname))) {
    throw new AuthError('CONFIG_INVALID', 'jwks: a remote JWKS must be fetched over https');
  }
  const getKey = createRemoteJWKSet(parsed, options);
  return async (header) => {
    try {
      return [await getKey(header as JWSHeaderParameters, { payload: '', signature: '' })];
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' && Symbol.asyncIterator in (error as object)) {
        const keys: RemoteKey[] = [];
        for await (const key of error as AsyncIterable<RemoteKey>) keys.push(key);
        return keys;
      }
      if (
        code === 'ERR_JWKS_NO_MATCHING_KEY' ||
        code === 'ERR_JOSE_NOT_SUPPORTED' ||
        code === 'ERR_JOSE_ALG_NOT_ALLOWED'
      ) {
        return [];
      }
      throw new AuthError('JWKS_UNAVAILABLE', 'the JWKS could not be fetched', { cause: error });
    }
  };
}
