/** Runs the Koa example: `npx tsx --tsconfig examples/tsconfig.json examples/koa/server.ts` (PORT, default 3000). */

import { runExample } from '../shared/server.js';
import { startKoaExample } from './app.js';

await runExample('koa example', (port) => startKoaExample({ port }));
