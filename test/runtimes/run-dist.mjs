// Run by Bun and Deno (test/runtimes/bun-deno.test.ts): the core contract and password
// hashing against the built package, as an app on that runtime imports it. Prints one
// JSON line with what was checked; any failure exits non-zero with the error.
//
//   <runtime> test/runtimes/run-dist.mjs        node:crypto path (as the runtime offers it)
//   <runtime> test/runtimes/run-dist.mjs web    Web Crypto path: process.getBuiltinModule and
//                                               Buffer hidden before tokenward loads, as on workerd
import { ALGORITHMS, runContract, runPasswordContract } from './contract.mjs';

const web = process.argv.includes('web');
if (web) {
  globalThis.process.getBuiltinModule = undefined;
  globalThis.Buffer = undefined;
}
const tokenward = await import('../../dist/index.js');

const results = [];
for (const alg of ALGORITHMS) {
  const { checks, kid } = await runContract(tokenward, alg);
  results.push({ alg, kid, checks });
}
// bcrypt is a native module: its binding needs the runtime's Buffer.
const passwordChecks = web ? [] : await runPasswordContract(await import('../../dist/password.js'));
// Which path tokenward took: node:crypto where process.getBuiltinModule finds it.
const nodeCrypto = typeof globalThis.process?.getBuiltinModule?.('node:crypto')?.createHmac === 'function';
console.log(JSON.stringify({ results, password: passwordChecks, nodeCrypto }));
