/**
 * Password hashes for a Worker: PBKDF2-SHA256 from Web Crypto, because bcrypt
 * (`tokenward/password`, a native module) cannot load in workerd. The token routes take it as
 * their `passwordCheck`; they keep throttling, bounding and the unknown-user dummy check.
 *
 * A stored hash reads `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url, 16-byte salt,
 * 32-byte hash). 100 000 iterations is the most workerd's Web Crypto derives.
 */
import type { PasswordCheck } from 'tokenward/web';

const PREFIX = 'pbkdf2-sha256';
const ITERATIONS = 100_000;

function toBase64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array | undefined {
  // A length of 4n+1 is no base64url at all (atob would throw).
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    256,
  );
  return new Uint8Array(bits);
}

/** A new stored hash of a password, with a random salt. */
export async function hashPbkdf2(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, ITERATIONS);
  return `${PREFIX}$${ITERATIONS}$${toBase64url(salt)}$${toBase64url(hash)}`;
}

/** Whether the password matches a stored hash; `false` for a hash this module did not write. */
export async function verifyPbkdf2(password: string, stored: string): Promise<boolean> {
  const [prefix, iterations, salt, hash] = stored.split('$');
  if (prefix !== PREFIX || iterations !== String(ITERATIONS)) return false;
  const saltBytes = fromBase64url(salt ?? '');
  const expected = fromBase64url(hash ?? '');
  if (
    prefix !== PREFIX ||
    iterations !== String(ITERATIONS) ||
    saltBytes === undefined ||
    expected?.length !== 32
  )
    return false;
  const derived = await derive(password, saltBytes, ITERATIONS);
  // Every byte compared, whatever the first difference: the time tells nothing of the hash.
  let difference = 0;
  for (let i = 0; i < derived.length; i++) difference |= derived[i]! ^ expected[i]!;
  return difference === 0;
}

/**
 * The token routes' check. The dummy hash has the real ones' format and iterations, so an
 * unknown user's login derives as long as a known one's; its answer is ignored.
 */
export const pbkdf2Check: PasswordCheck = {
  verify: verifyPbkdf2,
  dummyHash: `${PREFIX}$${ITERATIONS}$${'A'.repeat(22)}$${'A'.repeat(43)}`,
};
