import { defineConfig } from 'tsup';
import { ENTRY_POINTS } from './scripts/entry-points.js';

export default defineConfig([
  {
    entry: Object.fromEntries(ENTRY_POINTS.map(({ output, source }) => [output, source])),
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
