import { CompactSign } from 'jose';
import type { PreparedKey } from '../keys/import-key.js';

const encoder = new TextEncoder();

/** Signs a claims set as a compact JWS with `alg`, `typ` and `kid` in the protected header. */
export function signToken(
  payload: Readonly<Record<string, unknown>>,
  typ: string,
  key: PreparedKey,
): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, typ, kid: key.kid })
    .sign(key.signKey!);
}
