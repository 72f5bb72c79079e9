import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Each public entry point, as package.json exports it. The snapshot makes every
// change to the public surface a deliberate one: update it with `vitest -u`.
const ENTRY_POINTS = {
  tokenward: () => import('../src/index.js'),
  'tokenward/password': () => import('../src/password/index.js'),
  'tokenward/redis': () => import('../src/stores/redis.js'),
  'tokenward/testing': () => import('../src/testing/index.js'),
  'tokenward/express': () => import('../src/adapters/express.js'),
  'tokenward/fastify': () => import('../src/adapters/fastify.js'),
  'tokenward/koa': () => import('../src/adapters/koa.js'),
  'tokenward/openapi': () => import('../src/openapi/index.js'),
} as const;

describe('public exports', () => {
  for (const [name, load] of Object.entries(ENTRY_POINTS)) {
    it(`${name} exports exactly what the snapshot lists`, async () => {
      const module = await load();
      expect(Object.keys(module).sort()).toMatchSnapshot();
    });
  }

  it('package.json exports every entry point, types first in every branch', async () => {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    const exported = Object.keys(pkg.exports).filter((key) => key !== './package.json');
    expect(exported.map((key) => (key === '.' ? 'tokenward' : `tokenward/${key.slice(2)}`)).sort()).toEqual(
      Object.keys(ENTRY_POINTS).sort(),
    );
    for (const key of exported) {
      const branches = pkg.exports[key as keyof typeof pkg.exports] as Record<string, Record<string, string>>;
      for (const condition of ['import', 'require']) {
        expect(Object.keys(branches[condition] ?? {})[0], `${key} ${condition}`).toBe('types');
      }
    }
  });

  // The built package, as an installed copy loads it: the same names in ESM and CommonJS.
  // CI builds before testing, so there the check never skips.
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const built = existsSync(`${dist}index.js`) || process.env.CI === 'true';
  describe.skipIf(!built)('the built package', () => {
    const require = createRequire(import.meta.url);
    for (const [name, load] of Object.entries(ENTRY_POINTS)) {
      const file = name === 'tokenward' ? 'index' : name.slice('tokenward/'.length);
      it(`${name} loads from dist in ESM and CommonJS with the same exports`, async () => {
        const expected = Object.keys(await load()).sort();
        const esm = await import(/* @vite-ignore */ `${dist}${file}.js`);
        expect(Object.keys(esm).sort()).toEqual(expected);
        expect(Object.keys(require(`${dist}${file}.cjs`)).sort()).toEqual(expected);
      });
    }
  });
});
