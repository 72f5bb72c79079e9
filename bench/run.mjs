// The `npm run bench` entry: runs every bench/*.bench.mjs suite, each in its own child
// process, one after the other. A new suite needs no change here: name it
// bench/<name>.bench.mjs.
//
//   npm run bench                 every suite
//   npm run bench -- core http    only the suites whose name contains "core" or "http"
//   npm run bench -- --build      rebuild dist/ first (it is built anyway when missing)
//
// Suites run against the built package (dist/), as users get it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const args = process.argv.slice(2);
const forceBuild = args.includes('--build');
const filters = args.filter((arg) => !arg.startsWith('--'));

function build(reason) {
  console.log(`bench: ${reason}: running \`npm run build\`…`);
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(join(root, 'dist', 'index.js'))) {
    console.error(
      'bench: the build failed, so dist/ is missing. Fix the build, then run `npm run build` first.',
    );
    process.exit(1);
  }
}

if (forceBuild) build('--build given');
else if (!existsSync(join(root, 'dist', 'index.js'))) build('dist/ is missing');

const suites = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.mjs'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

if (suites.length === 0) {
  console.error(
    filters.length === 0
      ? 'bench: no bench/*.bench.mjs suite found'
      : `bench: no suite matches ${filters.map((f) => `"${f}"`).join(', ')}`,
  );
  process.exit(1);
}

const failed = [];
for (const suite of suites) {
  console.log(`\n=== ${suite} ===`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(benchDir, suite)], { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) console.log(`=== ${suite}: done in ${seconds} s ===`);
  else {
    const why = result.signal ? `signal ${result.signal}` : `exit code ${result.status}`;
    console.error(`=== ${suite}: FAILED (${why}) after ${seconds} s ===`);
    failed.push(suite);
  }
}

if (failed.length > 0) {
  console.error(`\nbench: ${failed.length} of ${suites.length} suite(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\nbench: ${suites.length} suite(s) done`);
