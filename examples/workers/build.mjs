// Builds examples/workers/worker.ts (tokenward/web), hono-worker.ts (tokenward/hono) and
// cookie-worker.ts (tokenward/web, refresh cookie), each into one ES module with esbuild, and
// serves them in workerd (the binary of the pinned @cloudflare/workerd-linux-64), without nodejs_compat:
//
//   npm run build && node examples/workers/build.mjs   worker.ts on http://127.0.0.1:8787 (PORT),
//                                                      hono-worker.ts and cookie-worker.ts on the next ports
//
// test/runtimes/workerd.test.ts uses the same functions on the built package.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../..');
export const WORKERD = join(ROOT, 'node_modules/@cloudflare/workerd-linux-64/bin/workerd');

/** `tokenward` and `tokenward/*` resolved to the built package (dist/), as an installed copy would be. */
const builtPackage = {
  name: 'tokenward-dist',
  setup(pluginBuild) {
    const rows = JSON.parse(readFileSync(join(ROOT, 'entry-points.json'), 'utf8'));
    pluginBuild.onResolve({ filter: /^tokenward(\/[a-z-]+)?$/ }, ({ path }) => {
      const subpath = path === 'tokenward' ? '.' : `./${path.slice('tokenward/'.length)}`;
      if (!rows.some((row) => row.subpath === subpath)) return undefined;
      return { path: join(ROOT, 'dist', `${subpath === '.' ? 'index' : subpath.slice(2)}.js`) };
    });
  },
};

/**
 * Bundles a worker for workerd: browser-style resolution (the `workerd`, `worker` and
 * `browser` export conditions), no Node built-ins. `@node-rs/bcrypt` stays an import
 * the worker makes at run time, which workerd cannot satisfy (tokenward/password then
 * answers CONFIG_INVALID).
 */
export async function bundleWorker(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    external: ['@node-rs/bcrypt'],
    plugins: [builtPackage],
    logLevel: 'warning',
  });
}

/** A workerd config serving each `{ name, file, port, bindings }` worker on 127.0.0.1, without nodejs_compat. */
export function workerdConfig(workers) {
  const services = workers.map((worker) => `(name = "${worker.name}", worker = .${worker.name})`).join(', ');
  const sockets = workers
    .map(
      (worker) =>
        `(name = "${worker.name}", address = "127.0.0.1:${worker.port}", http = (), service = "${worker.name}")`,
    )
    .join(', ');
  const definitions = workers.map((worker) => {
    const bindings = Object.entries(worker.bindings ?? {})
      .map(([name, text]) => `(name = "${name}", text = ${JSON.stringify(text)})`)
      .join(', ');
    return `const ${worker.name} :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "${worker.file}") ],
  compatibilityDate = "2025-09-01",
  bindings = [ ${bindings} ],
);`;
  });
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ ${services} ],
  sockets = [ ${sockets} ],
);

${definitions.join('\n\n')}
`;
}

/** Starts workerd on a config file; its output goes to the given streams. */
export function startWorkerd(configFile, stdio = 'inherit') {
  return spawn(WORKERD, ['serve', configFile, '--verbose'], { cwd: dirname(configFile), stdio });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(here, 'dist');
  mkdirSync(out, { recursive: true });
  await bundleWorker(join(here, 'worker.ts'), join(out, 'worker.js'));
  await bundleWorker(join(here, 'hono-worker.ts'), join(out, 'hono.js'));
  await bundleWorker(join(here, 'cookie-worker.ts'), join(out, 'cookie.js'));
  // A random secret per start unless JWT_SECRET is set: tokens die with the process.
  const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');
  const port = Number(process.env.PORT ?? 8787);
  const configFile = join(out, 'config.capnp');
  writeFileSync(
    configFile,
    workerdConfig([
      { name: 'example', file: 'worker.js', port, bindings: { JWT_SECRET: secret } },
      { name: 'hono', file: 'hono.js', port: port + 1, bindings: { JWT_SECRET: secret } },
      {
        name: 'cookie',
        file: 'cookie.js',
        port: port + 2,
        // Local workerd is plain HTTP: requests say `X-Forwarded-Proto: https` as a TLS proxy would.
        bindings: {
          JWT_SECRET: secret,
          APP_ORIGIN: process.env.APP_ORIGIN ?? 'https://app.example',
          TRUST_PROXY: 'true',
        },
      },
    ]),
  );
  console.log(
    `workerd serves worker.ts on http://127.0.0.1:${port}, hono-worker.ts on http://127.0.0.1:${port + 1}, cookie-worker.ts on http://127.0.0.1:${port + 2}`,
  );
  console.log(
    `  curl -s -X POST -H 'content-type: application/json' -d '{"username":"alice","password":"wonderland"}' http://127.0.0.1:${port}/auth/login`,
  );
  startWorkerd(configFile);
}
