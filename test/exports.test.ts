import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { ENTRY_POINTS } from '../scripts/entry-points.js';
import { BUILD_TIMEOUT_MS, DIST, ensureBuilt, ROOT } from './support/dist.js';

// Each public entry point, from the one list in entry-points.json. The snapshot
// makes every change to the public surface a deliberate one: update it with `vitest -u`.
const load = (source: string): Promise<Record<string, unknown>> =>
  import(/* @vite-ignore */ join(ROOT, source));

describe('public exports', () => {
  for (const { specifier, source } of ENTRY_POINTS) {
    it(`${specifier} exports exactly what the snapshot lists`, async () => {
      const module = await load(source);
      expect(Object.keys(module).sort()).toMatchSnapshot();
    });
  }

  it('package.json exports every entry point and nothing else, types first in every branch', () => {
    const exported = Object.keys(pkg.exports).filter((key) => key !== './package.json');
    expect(exported.sort()).toEqual(ENTRY_POINTS.map(({ subpath }) => subpath).sort());
    for (const { subpath, output } of ENTRY_POINTS) {
      const branches = (pkg.exports as unknown as Record<string, Record<string, Record<string, string>>>)[
        subpath
      ];
      expect(branches, subpath).toEqual({
        import: { types: `./dist/${output}.d.ts`, default: `./dist/${output}.js` },
        require: { types: `./dist/${output}.d.cts`, default: `./dist/${output}.cjs` },
      });
      for (const condition of ['import', 'require']) {
        expect(Object.keys(branches?.[condition] ?? {})[0], `${subpath} ${condition}`).toBe('types');
      }
    }
  });

  it("tsconfig.json's paths map every entry point to its source, and nothing else", () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    expect(tsconfig.compilerOptions.paths).toEqual(
      Object.fromEntries(ENTRY_POINTS.map(({ specifier, source }) => [specifier, [`./${source}`]])),
    );
  });

  // The built package, as an installed copy loads it: the same names in ESM and CommonJS.
  describe('the built package', () => {
    beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);
    const require = createRequire(import.meta.url);
    for (const { specifier, source, output } of ENTRY_POINTS) {
      it(`${specifier} loads from dist in ESM and CommonJS with the same exports`, async () => {
        const expected = Object.keys(await load(source)).sort();
        const esm = await import(/* @vite-ignore */ join(DIST, `${output}.js`));
        expect(Object.keys(esm).sort()).toEqual(expected);
        expect(Object.keys(require(join(DIST, `${output}.cjs`))).sort()).toEqual(expected);
      });
    }
  });
});
