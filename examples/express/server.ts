/** Runs the Express example: `npx tsx --tsconfig examples/tsconfig.json examples/express/server.ts` (PORT, default 3000). */

import { runExample } from '../shared/server.js';
import { startExpressExample } from './app.js';

await runExample('express example', (port) => startExpressExample({ port }));
