/** Runs the Fastify example: `npx tsx --tsconfig examples/tsconfig.json examples/fastify/server.ts` (PORT, default 3000). */

import { runExample } from '../shared/server.js';
import { startFastifyExample } from './app.js';

await runExample('fastify example', (port) => startFastifyExample({ port }));
