// verifyToken against jose on Bun and Deno (the binaries of the pinned @oven/bun-linux-x64
// and @deno/linux-x64-glibc): bench/runtime-verify.mjs, run once by each runtime, each
// comparing the two in its own process. Target: >= 3x jose for HS256; EdDSA, ES256 and
// RS256 are reported.
//
//   npm run bench -- runtimes
//
// Environment: the harness's BENCH_* variables (passed on), BENCH_STRICT=1 to exit non-zero
// when HS256 is under its target, BENCH_JSON=<file> to write the figures as JSON.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'bench/runtime-verify.mjs');
const RUNTIMES = [
  { name: 'Bun', command: join(root, 'node_modules/@oven/bun-linux-x64/bin/bun'), args: [script] },
  {
    name: 'Deno',
    command: join(root, 'node_modules/@deno/linux-x64-glibc/deno'),
    args: ['run', '-A', script],
  },
];

const results = [];
let below = false;
for (const runtime of RUNTIMES) {
  console.log(`\n--- ${runtime.name} ---`);
  const child = spawnSync(runtime.command, runtime.args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (child.status !== 0) {
    console.error(child.stdout, child.stderr);
    throw new Error(`bench: ${runtime.name} failed (${child.error?.message ?? `exit ${child.status}`})`);
  }
  const lines = child.stdout.trimEnd().split('\n');
  const result = JSON.parse(lines.find((line) => line.startsWith('RESULT ')).slice('RESULT '.length));
  console.log(lines.filter((line) => !line.startsWith('RESULT ')).join('\n'));
  results.push(result);
  below ||= result.report.some((row) => row.target !== undefined && row.ratio < row.target);
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
if (below && process.env.BENCH_STRICT === '1') process.exitCode = 1;
