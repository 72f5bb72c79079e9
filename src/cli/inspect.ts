/**
 * `tokenward inspect <token>`: decodes a token without verifying it.
 * @packageDocumentation
 */

import { normalizeType } from '../tokens/check-type.js';
import { decodeToken } from '../tokens/parse.js';
import {
  CLI_MAX_TOKEN_SIZE,
  type CliIo,
  EXIT_OK,
  json,
  type OptionsSpec,
  out,
  parseCommandArgs,
  reportFailure,
  tokenArgument,
} from './common.js';
import { durationInWords, isoDate, relativeTime } from './human-time.js';

/** The usage text of `inspect`. */
export const INSPECT_USAGE = `Usage: tokenward inspect <token | ->

Decodes a JWT and prints its header and claims, with iat, nbf and exp also as
ISO dates and relative times. Nothing is verified: anyone can write any claims
into a token. Use "tokenward verify" to check one.

Arguments:
  <token>      the compact JWT; a leading "Bearer " is ignored
  -            read the token from standard input (keeps it out of shell history)

Options:
  -h, --help   show this help

Exit codes: 0 decoded, 1 not a decodable JWT (the error code is printed), 2 usage error.`;

const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

/** What kind of tokenward token a header `typ` names. */
function describeType(typ: unknown): string {
  switch (normalizeType(typ)) {
    case 'at+jwt':
      return 'access token (typ at+jwt)';
    case 'refresh+jwt':
      return 'tokenward refresh token (typ refresh+jwt)';
    case undefined:
      return 'no typ header';
    default:
      return `typ ${JSON.stringify(typ)}`;
  }
}

/** The human lines about the token's times, relative to `now` (seconds). */
export function timeLines(payload: Readonly<Record<string, unknown>>, now: number): string[] {
  const lines: string[] = [];
  for (const name of TIME_CLAIMS) {
    const value = payload[name];
    if (value === undefined) continue;
    const iso = typeof value === 'number' ? isoDate(value) : undefined;
    if (typeof value !== 'number' || iso === undefined) {
      lines.push(`  ${name}  ${JSON.stringify(value)}  (not a valid NumericDate)`);
      continue;
    }
    lines.push(`  ${name}  ${iso}  (${relativeTime(value - now)})`);
  }
  const { iat, exp } = payload;
  if (typeof exp === 'number' && Number.isFinite(exp)) {
    lines.push(
      exp <= now
        ? `  status: expired ${relativeTime(exp - now)}`
        : `  status: not expired, expires ${relativeTime(exp - now)}`,
    );
    if (typeof iat === 'number' && Number.isFinite(iat)) {
      lines.push(`  lifetime (exp - iat): ${durationInWords(exp - iat)}`);
    }
  } else {
    lines.push('  status: no exp claim: this token never expires by itself');
  }
  return lines;
}

/** Runs `inspect` and returns its exit code. */
export async function runInspect(args: readonly string[], io: CliIo): Promise<number> {
  const options: OptionsSpec = {};
  const parsed = parseCommandArgs('inspect', args, options);
  if (parsed.values.help === true) {
    out(io, INSPECT_USAGE);
    return EXIT_OK;
  }
  const token = await tokenArgument(io, 'inspect', parsed);
  let decoded: ReturnType<typeof decodeToken>;
  try {
    decoded = decodeToken(token, CLI_MAX_TOKEN_SIZE);
  } catch (error) {
    return reportFailure(io, error);
  }
  const now = Math.floor(Date.now() / 1000);
  out(
    io,
    [
      'UNVERIFIED: decoded only. The signature, issuer, audience and times have NOT been checked.',
      `kind: ${describeType(decoded.header.typ)}`,
      '',
      'header:',
      json(decoded.header),
      '',
      'claims:',
      json(decoded.payload),
      '',
      'times:',
      ...timeLines(decoded.payload, now),
    ].join('\n'),
  );
  return EXIT_OK;
}
