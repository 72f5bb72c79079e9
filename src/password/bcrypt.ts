/**
 * Loading `@node-rs/bcrypt` on first use, not when `tokenward/password` loads: it
 * is a native (N-API) module, which Node, Bun and Deno load and workerd cannot.
 * @packageDocumentation
 */
import { AuthError } from '../errors.js';
import { runtimeName } from '../lib/platform.js';

type Bcrypt = Pick<typeof import('@node-rs/bcrypt'), 'hash' | 'verify'>;

let loading: Promise<Bcrypt> | undefined;

/**
 * The bcrypt binding. Where the runtime cannot load it, rejects with one
 * `AuthError` CONFIG_INVALID that names the runtime (the cause holds the loader's error).
 */
export function loadBcrypt(): Promise<Bcrypt> {
  loading ??= import('@node-rs/bcrypt')
    .then(
      (module) => {
        // An ES module namespace or, through a CommonJS wrapper, its default export.
        const binding = (
          typeof module.hash === 'function' ? module : (module as { default?: Bcrypt }).default
        ) as Bcrypt;
        if (typeof binding?.hash !== 'function') throw new Error('@node-rs/bcrypt has no hash function');
        return binding;
      },
      (error: unknown) => {
        throw error;
      },
    )
    .catch((error: unknown) => {
      throw new AuthError(
        'CONFIG_INVALID',
        `tokenward/password needs @node-rs/bcrypt, a native (N-API) module, which ${runtimeName()} cannot load: hash and verify passwords on Node.js, Bun or Deno.`,
        { cause: error },
      );
    });
  return loading;
}
