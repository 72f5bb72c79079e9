/**
 * The `tokenward` command line: keygen, inspect, verify, as a function of its
 * arguments and its {@link CliIo}. `bin.ts` wires it to the process.
 * @packageDocumentation
 */

import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, err, out, UsageError } from './common.js';
import { INSPECT_USAGE, runInspect } from './inspect.js';
import { KEYGEN_USAGE, runKeygen } from './keygen.js';
import { runVerify, VERIFY_USAGE } from './verify.js';

/** The top-level usage text. */
export const MAIN_USAGE = `Usage: tokenward <command> [options]

Commands:
  keygen    generate an HMAC secret or a key pair (JWK and PEM): see "tokenward keygen --help"
  inspect   decode a token and show its header, claims and times (UNVERIFIED)
  verify    verify an access token with a key, a secret or a JWKS

Run "tokenward <command> --help" (or "tokenward help <command>") for its options.

Exit codes: 0 success, 1 failure (an invalid token, with its error code), 2 usage error.`;

interface Command {
  readonly usage: string;
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  keygen: { usage: KEYGEN_USAGE, run: runKeygen },
  inspect: { usage: INSPECT_USAGE, run: runInspect },
  verify: { usage: VERIFY_USAGE, run: runVerify },
};

function commandNamed(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/**
 * Runs the CLI with the arguments after the program name and returns the exit
 * code. It touches nothing of the process: what it reads and writes goes
 * through `io`, and it never exits.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    out(io, MAIN_USAGE);
    return EXIT_OK;
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : commandNamed(rest[0]);
    if (rest[0] !== undefined && topic === undefined) {
      err(io, `tokenward: unknown command "${rest[0]}"\n\n${MAIN_USAGE}`);
      return EXIT_USAGE;
    }
    out(io, topic ? topic.usage : MAIN_USAGE);
    return EXIT_OK;
  }
  if (name === undefined) {
    err(io, MAIN_USAGE);
    return EXIT_USAGE;
  }
  const command = commandNamed(name);
  if (command === undefined) {
    err(io, `tokenward: unknown command "${name}"\n\n${MAIN_USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      err(io, `tokenward ${name}: ${error.message}\nRun "tokenward ${name} --help" for usage.`);
      return EXIT_USAGE;
    }
    // Anything else is a bug or an I/O failure: say so without a token or secret in it.
    err(io, `tokenward ${name}: unexpected error: ${(error as Error)?.message ?? String(error)}`);
    return EXIT_FAILURE;
  }
}
