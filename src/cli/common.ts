/**
 * What every CLI command shares: argument parsing, usage errors, output, token input.
 * @packageDocumentation
 */

import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isAuthError } from '../errors.js';

/** Exit code of a command that did what was asked. */
export const EXIT_OK = 0;
/** Exit code of a command that failed: an invalid token, a key that cannot be read. */
export const EXIT_FAILURE = 1;
/** Exit code of a command called wrongly: unknown command or option, missing argument. */
export const EXIT_USAGE = 2;

/** A mistake in how the CLI was called: reported with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  /** The command whose usage was wrong, or `undefined` for the top level. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** The options table of one command, as `node:util` `parseArgs` takes it. */
export type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

/** The parsed options and positionals of one command. */
export interface ParsedArgs {
  /** Option values by name: a string, a boolean flag, or a list for `multiple` options. */
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  /** The positional arguments. */
  readonly positionals: readonly string[];
}

/** Parses a command's arguments strictly; unknown options and missing values are usage errors. */
export function parseCommandArgs(command: string, args: readonly string[], options: OptionsSpec): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

/** The value of a string option, or `undefined` when absent. */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The values of a string option that may be repeated. */
export function stringListOption(parsed: ParsedArgs, name: string): string[] {
  const value = parsed.values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/**
 * Everything a command reads from or writes to its surroundings. The bin file
 * wires it to the process; tests pass their own, so a command runs in process.
 */
export interface CliIo {
  /** Writes a chunk of standard output. */
  readonly stdout: (text: string) => void;
  /** Writes a chunk of standard error. */
  readonly stderr: (text: string) => void;
  /** Standard input, read only by a command given `-` for its token. */
  readonly stdin: AsyncIterable<string | Uint8Array>;
  /** The environment, for `verify --secret-env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths (`--key`, `--jwks`, `--out`) start from. */
  readonly cwd: string;
}

const UNPRINTABLE = /[^\x20-\x7e]/g;

/**
 * Text with every UTF-16 code unit outside printable ASCII (0x20-0x7E) written
 * as `\uXXXX`: C0 and C1 controls, DEL, ESC, the bidi overrides and isolates,
 * and any other non-ASCII character. A token is attacker-chosen text, and a
 * terminal acts on escape sequences and reorders bidi text; JSON stays valid
 * (and parses to the same value) since `\uXXXX` is a JSON escape too.
 */
export function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes each line and ends the text with a newline: the CLI's own line breaks stay line breaks. */
function printableLines(text: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return `${body.split('\n').map(escapeUnprintable).join('\n')}\n`;
}

/**
 * Writes text to standard output, with a final newline. Every line is passed
 * through {@link escapeUnprintable}: all output goes through here, so no
 * string from a token reaches the terminal raw, whichever part printed it.
 */
export function out(io: CliIo, text: string): void {
  io.stdout(printableLines(text));
}

/** Writes text to standard error, with a final newline, escaped as {@link out} does. */
export function err(io: CliIo, text: string): void {
  io.stderr(printableLines(text));
}

/** Pretty JSON, two-space indented. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * The largest token `inspect` and `verify` read, in characters (64 KiB). Larger
 * than the library's default `maxTokenSize` (8 KiB, `DEFAULT_MAX_TOKEN_SIZE`) on
 * purpose: the CLI reads tokens of any issuer to debug them, some of which carry
 * large claims, and here the limit only bounds what one pasted input costs.
 * `verify` gives it to createAuth as `maxTokenSize`, so its decoding and its
 * verification apply the same limit.
 */
export const CLI_MAX_TOKEN_SIZE = 64 * 1024;

const MAX_STDIN_BYTES = 1024 * 1024;

async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError('standard input is larger than 1 MiB');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The token a command was given: its one positional argument, or standard input
 * when that argument is `-` (which keeps the token out of the shell history and
 * the process list). Surrounding whitespace and a leading `Bearer ` are removed.
 */
export async function tokenArgument(io: CliIo, command: string, parsed: ParsedArgs): Promise<string> {
  const [first, ...rest] = parsed.positionals;
  if (first === undefined)
    throw new UsageError('give the token (or - to read it from standard input)', command);
  if (rest.length > 0) throw new UsageError('give exactly one token', command);
  const raw = first === '-' ? await readStdin(io) : first;
  return raw.trim().replace(/^bearer\s+/i, '');
}

/** Reports an AuthError (code and message, never the token) and returns the failure exit code. */
export function reportFailure(io: CliIo, error: unknown): number {
  if (isAuthError(error)) {
    err(io, `${error.code}: ${error.message}`);
    return EXIT_FAILURE;
  }
  throw error;
}
