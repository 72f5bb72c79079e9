// HTTP benchmark of the adapters (autocannon; server and load in separate processes on 127.0.0.1).
// For each framework: requests/s of GET /data unprotected, protected by tokenward's authenticate, and
// protected by a handwritten middleware calling auth.verifyToken directly; then the ratios.
// The adapter's own cost (header parsing, error mapping, claims on the request) is adapter vs handwritten.
//
//   node bench/http.bench.mjs [--duration 3] [--rounds 3] [--connections 20] [framework ...]
//
// Uses the built package: run `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const duration = option('duration', 3);
const rounds = option('rounds', 3);
const connections = option('connections', 20);
const ALL = ['express4', 'express5', 'fastify5', 'koa2', 'koa3'];
const chosen = args.filter((arg, i) => ALL.includes(arg) && !args[i - 1]?.startsWith('--'));
const frameworks = chosen.length > 0 ? chosen : ALL;
const MODES = ['open', 'adapter', 'handwritten'];
const serverScript = fileURLToPath(new URL('./http-server.mjs', import.meta.url));

if (!existsSync(new URL('../dist/express.js', import.meta.url))) {
  console.error('bench/http: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}

function startServer(framework, mode) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverScript, framework, mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('exit', (code) => reject(new Error(`server ${framework}/${mode} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}

async function measure(framework, mode) {
  const { child, port, token } = await startServer(framework, mode);
  try {
    const options = {
      url: `http://127.0.0.1:${port}/data`,
      connections,
      headers: { authorization: `Bearer ${token}` },
    };
    // A short warm-up so that the JIT and the connection pool settle before measuring.
    await autocannon({ ...options, duration: 1 });
    const result = await autocannon({ ...options, duration });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${framework}/${mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  } finally {
    child.removeAllListeners('exit');
    child.kill();
  }
}

const results = new Map(frameworks.map((f) => [f, new Map(MODES.map((m) => [m, []]))]));
console.log(
  `bench/http: ${frameworks.length} frameworks × ${MODES.length} modes × ${rounds} rounds of ${duration} s, ${connections} connections`,
);
// Rounds are interleaved so that a slow moment of the machine hits every configuration alike.
for (let round = 1; round <= rounds; round += 1) {
  for (const framework of frameworks) {
    for (const mode of MODES)
      results
        .get(framework)
        .get(mode)
        .push(await measure(framework, mode));
  }
  console.log(`  round ${round}/${rounds} done`);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const rows = frameworks.map((framework) => {
  const [open, adapter, handwritten] = MODES.map((mode) => median(results.get(framework).get(mode)));
  return {
    framework,
    'open req/s': Math.round(open),
    'adapter req/s': Math.round(adapter),
    'handwritten req/s': Math.round(handwritten),
    'adapter / open': (adapter / open).toFixed(3),
    'adapter / handwritten': (adapter / handwritten).toFixed(3),
  };
});
console.table(rows);
console.log(
  'medians of the rounds; "adapter / handwritten" near 1.0 means the adapter adds nothing over verifyToken itself.',
);
