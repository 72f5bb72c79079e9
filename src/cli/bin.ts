/**
 * The `tokenward` executable: runs {@link main} with the process's arguments,
 * streams and environment, and sets the exit code. Nothing else lives here.
 * @packageDocumentation
 */

import { type CliIo, EXIT_FAILURE } from './common.js';
import { main } from './main.js';

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // Opened only when a command reads it: an open stdin handle would keep some terminals waiting.
  stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
  env: process.env,
  cwd: process.cwd(),
};

main(process.argv.slice(2), processIo).then(
  (code) => {
    // exitCode, not exit(): output still buffered for a pipe is written before the process ends.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tokenward: ${String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
