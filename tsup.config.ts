import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      password: 'src/password/index.ts',
      redis: 'src/stores/redis.ts',
      testing: 'src/testing/index.ts',
      express: 'src/adapters/express.ts',
      fastify: 'src/adapters/fastify.ts',
      koa: 'src/adapters/koa.ts',
      openapi: 'src/openapi/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
    // node:test exists only under its prefix; keep every node: import as written.
    removeNodeProtocol: false,
    splitting: true,
    treeshake: true,
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    // node:test exists only under its prefix; keep every node: import as written.
    removeNodeProtocol: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
