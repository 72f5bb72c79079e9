/**
 * The package's public entry points, read from `entry-points.json` (one row
 * each: the `package.json` exports subpath and its source file). tsup's
 * entries, vitest's `tokenward/*` aliases, typedoc's entry points and the
 * exports test all come from it; `test/exports.test.ts` checks it against
 * `package.json` `exports` and `tsconfig.json` `paths`. A new subpath is one
 * row there, plus its `exports` branch in package.json.
 * @packageDocumentation
 */

import rows from '../entry-points.json' with { type: 'json' };
import pkg from '../package.json' with { type: 'json' };

/** One public entry point of the package. */
export interface EntryPoint {
  /** The key in package.json `exports`: `.` or `./name`. */
  readonly subpath: string;
  /** How an app imports it: `tokenward` or `tokenward/name`. */
  readonly specifier: string;
  /** Its source file, relative to the repository root. */
  readonly source: string;
  /** The name of its files in dist/ (`index`, `name`): tsup's entry key. */
  readonly output: string;
}

/** Every public entry point, in the order of `entry-points.json`. */
export const ENTRY_POINTS: readonly EntryPoint[] = rows.map(({ subpath, source }) => ({
  subpath,
  specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
  source,
  output: subpath === '.' ? 'index' : subpath.slice(2),
}));
