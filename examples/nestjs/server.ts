/** Runs the NestJS example: `npx tsx --tsconfig examples/tsconfig.json examples/nestjs/server.ts` (PORT, default 3000). */

import { runExample } from '../shared/server.js';
import { startNestExample } from './app.js';

await runExample('nestjs example', (port) => startNestExample({ port }));
