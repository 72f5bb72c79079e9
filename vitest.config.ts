import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { ENTRY_POINTS } from './scripts/entry-points.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default defineConfig({
  // The examples import tokenward as users do; in tests that means the sources, not dist/.
  resolve: {
    alias: ENTRY_POINTS.map(({ specifier, source }) => ({
      find: new RegExp(`^${escapeRegExp(specifier)}$`),
      replacement: fileURLToPath(new URL(`./${source}`, import.meta.url)),
    })),
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Type tests augment the global Tokenward namespace: they get a program of their own.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.typetests.json' },
  },
});
