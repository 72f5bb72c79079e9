import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  // The examples import tokenward as users do; in tests that means the sources, not dist/.
  resolve: {
    alias: [
      { find: /^tokenward$/, replacement: src('index.ts') },
      { find: /^tokenward\/password$/, replacement: src('password/index.ts') },
      { find: /^tokenward\/redis$/, replacement: src('stores/redis.ts') },
      { find: /^tokenward\/testing$/, replacement: src('testing/index.ts') },
      { find: /^tokenward\/express$/, replacement: src('adapters/express.ts') },
      { find: /^tokenward\/fastify$/, replacement: src('adapters/fastify.ts') },
      { find: /^tokenward\/koa$/, replacement: src('adapters/koa.ts') },
      { find: /^tokenward\/openapi$/, replacement: src('openapi/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Type tests augment the global Tokenward namespace: they get a program of their own.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.typetests.json' },
  },
});
