/**
 * Runs the browser example: `npx tsx --tsconfig examples/tsconfig.json examples/browser/server.ts`,
 * then open the printed URL (PORT, default 3000).
 */

import { runExample } from '../shared/server.js';
import { startBrowserExample } from './app.js';

await runExample(
  'browser example',
  (port) => startBrowserExample({ port }),
  (url) => `  open ${url}/ in a browser (alice / wonderland, bob / builder)`,
);
