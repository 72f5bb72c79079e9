import { isCanonicalBase64url, isUtf8Base64url } from './base64url.js';
import { type DecodedToken, decodeToken } from './parse.js';
import { canonicalBase64urlToUtf8 } from './scratch-decode.js';

/** A decoded token, with whether its protected header is well-formed UTF-8. */
export interface FastDecodedToken extends DecodedToken {
  /** `false` when the header bytes are not well-formed UTF-8 (jose refuses such a header). */
  readonly utf8Header: boolean;
}

interface KnownHeader {
  readonly header: Readonly<Record<string, unknown>>;
  readonly utf8: boolean;
}

// The headers of recently decoded tokens. An issuer's tokens share a handful of headers
// (alg, typ, kid), so most tokens skip decoding theirs. Bounded; cleared when full.
const knownHeaders = new Map<string, KnownHeader>();
const KNOWN_HEADERS_MAX = 64;

/** Decodes with decodeToken itself (which throws every error), and remembers the header. */
function decodeAndRemember(token: unknown, maxTokenSize: number): FastDecodedToken {
  const decoded = decodeToken(token, maxTokenSize);
  const [encodedHeader] = decoded.parts;
  const utf8 = isUtf8Base64url(encodedHeader);
  if (knownHeaders.size >= KNOWN_HEADERS_MAX) knownHeaders.clear();
  // Frozen: the same object serves every later token with this header.
  knownHeaders.set(encodedHeader, { header: Object.freeze(decoded.header), utf8 });
  return { header: decoded.header, payload: decoded.payload, parts: decoded.parts, utf8Header: utf8 };
}

/**
 * Decodes a compact JWS exactly as {@link decodeToken} does — same checks, same
 * errors in the same order, same result — but reuses the decoded header of a
 * recently seen token with the same header bytes. Anything unusual (an error of
 * any kind, a new header) goes through `decodeToken` itself.
 */
export function decodeTokenFast(token: unknown, maxTokenSize: number): FastDecodedToken {
  if (typeof token !== 'string' || token.length > maxTokenSize) return decodeAndRemember(token, maxTokenSize);
  const first = token.indexOf('.');
  const encodedHeader = token.slice(0, first);
  const known = first > 0 ? knownHeaders.get(encodedHeader) : undefined;
  if (known === undefined) return decodeAndRemember(token, maxTokenSize);
  const second = token.indexOf('.', first + 1);
  if (second === -1 || token.indexOf('.', second + 1) !== -1) return decodeAndRemember(token, maxTokenSize);
  const encodedPayload = token.slice(first + 1, second);
  const signature = token.slice(second + 1);
  // An empty signature is canonical to decodeToken; an empty payload is not.
  if (!isCanonicalBase64url(signature)) return decodeAndRemember(token, maxTokenSize);
  const text = canonicalBase64urlToUtf8(encodedPayload);
  if (text === undefined) return decodeAndRemember(token, maxTokenSize);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return decodeAndRemember(token, maxTokenSize);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return decodeAndRemember(token, maxTokenSize);
  }
  return {
    header: known.header,
    payload: payload as Record<string, unknown>,
    parts: [encodedHeader, encodedPayload, signature],
    utf8Header: known.utf8,
  };
}
