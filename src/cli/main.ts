/**
 * The `tokenward` command line: keygen, inspect, verify.
 * @packageDocumentation
 */

import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, err, out, UsageError } from './common.js';
import { INSPECT_USAGE, runInspect } from './inspect.js';
import { KEYGEN_USAGE, runKeygen } from './keygen.js';
import { runVerify, VERIFY_USAGE } from './verify.js';

/** The top-level usage text. */
export const MAIN_USAGE = `Usage: tokenward <command> [options]

Commands:
  keygen    generate an HMAC secret, or an EdDSA / ES256 / RS256 key pair (JWK and PEM)
  inspect   decode a token and show its header, claims and times (UNVERIFIED)
  verify    verify an access token with a key, a secret or a JWKS

Run "tokenward <command> --help" (or "tokenward help <command>") for its options.

Exit codes: 0 success, 1 failure (an invalid token, with its error code), 2 usage error.`;

interface Command {
  readonly usage: string;
  readonly run: (args: readonly string[]) => Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  keygen: { usage: KEYGEN_USAGE, run: runKeygen },
  inspect: { usage: INSPECT_USAGE, run: runInspect },
  verify: { usage: VERIFY_USAGE, run: runVerify },
};

function commandNamed(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/** Runs the CLI with the arguments after the program name and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    out(MAIN_USAGE);
    return EXIT_OK;
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : commandNamed(rest[0]);
    if (rest[0] !== undefined && topic === undefined) {
      err(`tokenward: unknown command "${rest[0]}"\n\n${MAIN_USAGE}`);
      return EXIT_USAGE;
    }
    out(topic ? topic.usage : MAIN_USAGE);
    return EXIT_OK;
  }
  if (name === undefined) {
    err(MAIN_USAGE);
    return EXIT_USAGE;
  }
  const command = commandNamed(name);
  if (command === undefined) {
    err(`tokenward: unknown command "${name}"\n\n${MAIN_USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`tokenward ${name}: ${error.message}\nRun "tokenward ${name} --help" for usage.`);
      return EXIT_USAGE;
    }
    // Anything else is a bug or an I/O failure: say so without a token or secret in it.
    err(`tokenward ${name}: unexpected error: ${(error as Error)?.message ?? String(error)}`);
    return EXIT_FAILURE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(`tokenward: ${String(error)}`);
    process.exitCode = EXIT_FAILURE;
  },
);
