/**
 * `tokenward verify <token>`: verifies an access token with a key, a secret or a JWKS.
 * @packageDocumentation
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createAuth } from '../create-auth.js';
import { isAuthError } from '../errors.js';
import { algorithmSpec, type JwsAlgorithm } from '../keys/algorithms.js';
import { describeKeyMaterial } from '../keys/key-material.js';
import type { Duration } from '../lib/duration.js';
import { normalizeType, REFRESH_TOKEN_TYPE } from '../tokens/check-type.js';
import { decodeToken } from '../tokens/parse.js';
import type { AuthOptions, JsonWebKeySet, KeyEntry } from '../types.js';
import {
  CLI_MAX_TOKEN_SIZE,
  type CliIo,
  EXIT_OK,
  err,
  json,
  type OptionsSpec,
  out,
  type ParsedArgs,
  parseCommandArgs,
  reportFailure,
  stringListOption,
  stringOption,
  tokenArgument,
  UsageError,
} from './common.js';

/** The usage text of `verify`. */
export const VERIFY_USAGE = `Usage: tokenward verify <token | -> (--key FILE | --secret-env VAR | --jwks FILE|URL)
                        [--iss ISS] [--aud AUD] [--max-ttl DURATION]
                        [--clock-tolerance DURATION] [--typ TYP]...

Verifies an access token with createAuth: the signature and algorithm, the typ
header, exp/nbf/iat, iss and aud, and the required claims. Prints the claims
as JSON on success.

Arguments:
  <token>          the compact JWT; a leading "Bearer " is ignored
  -                read the token from standard input

Key (exactly one):
  --key FILE       a PEM key (public SPKI or private PKCS#8), a JWK (JSON), or a
                   file holding an HMAC secret (its text, surrounding whitespace
                   removed). A key without a kid of its own is matched to the
                   token's kid: the signature decides. A "secret" that is really
                   a key (an OpenSSH line, base64 DER) is refused.
  --secret-env VAR the HMAC secret is in the environment variable VAR (never printed);
                   key material there (PEM, JWK, JWKS, OpenSSH, base64 DER) is refused
  --jwks FILE|URL  a JWKS file, or its https URL (http only on localhost):
                   verify-only mode, the token's kid picks the key

Checks:
  --iss ISS        the issuer the token must carry; without it iss is NOT checked
  --aud AUD        the audience the token must include; without it aud is NOT checked
  --max-ttl D      the longest lifetime (exp - iat) the issuer gives access tokens,
                   e.g. 15m; longer-lived tokens are rejected. Default: not checked
  --clock-tolerance D
                   tolerated clock skew on exp, nbf and iat (default 5s)
  --typ TYP        an accepted typ header; repeat for several (default at+jwt)
  --type access    the token kind (default). "--type refresh" is refused: see below
  -h, --help       show this help

Refresh tokens: whether a refresh token is valid depends on the issuer's token
store (rotation, reuse detection, revocation), which the CLI cannot see. Its
signature and claims alone do not make it usable, so the CLI does not claim to
verify one; use "tokenward inspect" to read it.

Exit codes: 0 valid, 1 invalid (the AuthError code is printed: TOKEN_EXPIRED,
TOKEN_INVALID, CLAIM_INVALID...), 2 usage error or a key that cannot be used.`;

const REFRESH_REFUSAL =
  "--type refresh is not supported: a refresh token is valid only if the issuer's store says so " +
  '(not rotated, not revoked), and the CLI has no access to that store. Use "tokenward inspect" to read it.';

/** Where the verification keys come from. */
type KeySource = Pick<AuthOptions, 'keys' | 'jwks'>;

async function readKeyFile(io: CliIo, path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(
      `${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'verify',
    );
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} is not valid JSON`, 'verify');
  }
}

/**
 * Refuses a would-be HMAC secret that is really key material (an OpenSSH
 * line, base64 DER, a PEM or JWK text where a secret is read): keyed with a
 * public key's bytes, HS256 would accept tokens anyone can forge.
 */
function refuseKeyMaterialAsSecret(secret: string | Uint8Array, source: string): void {
  const material = describeKeyMaterial(secret);
  if (material === undefined) return;
  throw new UsageError(
    `${source} holds ${material}, not an HMAC secret: used as one, anyone holding the key could forge tokens. ` +
      'Give a public key as a PEM (SPKI) or JWK file to --key, or a JWKS to --jwks',
    'verify',
  );
}

/** A key entry that takes the token's `kid` when the key has none of its own. */
function withTokenKid(key: KeyEntry['key'], tokenKid: string | undefined): KeyEntry {
  const ownKid =
    typeof key === 'object' && key !== null && 'kty' in key ? (key as { kid?: unknown }).kid : undefined;
  if (typeof ownKid === 'string' || tokenKid === undefined) return { key };
  return { key, kid: tokenKid };
}

/**
 * A secret's key entry: the token's `kid`, and its `alg` when that is an HMAC
 * algorithm. A secret names no algorithm of its own (createAuth would take
 * HS256), and letting the token pick among the HMAC ones is safe: each still
 * needs the secret, so HS384 and HS512 secrets verify as HS256 ones do.
 */
function secretEntry(secret: string, tokenKid: string | undefined, tokenAlg: unknown): KeyEntry {
  const entry = withTokenKid(secret, tokenKid);
  const row = algorithmSpec(tokenAlg);
  // A secret too short for the token's algorithm stays HS256, so the token fails (exit 1) rather than the key (exit 2).
  const fits =
    row?.keyType === 'secret' &&
    Buffer.byteLength(secret, 'utf8') >= (row.minSecretBytes ?? Number.POSITIVE_INFINITY);
  return fits ? { ...entry, alg: tokenAlg as JwsAlgorithm } : entry;
}

async function keySource(
  io: CliIo,
  parsed: ParsedArgs,
  tokenKid: string | undefined,
  tokenAlg: unknown,
): Promise<KeySource> {
  const keyFile = stringOption(parsed, 'key');
  const secretEnv = stringOption(parsed, 'secret-env');
  const jwks = stringOption(parsed, 'jwks');
  const given = [keyFile, secretEnv, jwks].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new UsageError('give exactly one of --key FILE, --secret-env VAR, --jwks FILE|URL', 'verify');
  }
  if (secretEnv !== undefined) {
    const secret = io.env[secretEnv];
    if (secret === undefined || secret === '') {
      throw new UsageError(`--secret-env: the environment variable ${secretEnv} is not set`, 'verify');
    }
    refuseKeyMaterialAsSecret(secret, `--secret-env: ${secretEnv}`);
    return { keys: secretEntry(secret, tokenKid, tokenAlg) };
  }
  if (jwks !== undefined) {
    if (/^https?:\/\//i.test(jwks)) return { jwks };
    const set = parseJson((await readKeyFile(io, jwks, '--jwks')).toString('utf8'), `--jwks ${jwks}`);
    if (typeof set !== 'object' || set === null || !Array.isArray((set as JsonWebKeySet).keys)) {
      throw new UsageError(`--jwks ${jwks} is not a JWKS (an object with a "keys" array)`, 'verify');
    }
    return { jwks: set as JsonWebKeySet };
  }
  const bytes = await readKeyFile(io, keyFile as string, '--key');
  const text = bytes.toString('utf8').trim();
  if (text.includes('-----BEGIN')) return { keys: withTokenKid(text, tokenKid) };
  if (text.startsWith('{')) {
    const jwk = parseJson(text, `--key ${keyFile}`) as Record<string, unknown>;
    if (Array.isArray(jwk.keys)) {
      throw new UsageError(`--key ${keyFile} holds a JWKS: pass it with --jwks`, 'verify');
    }
    if (typeof jwk.kty !== 'string')
      throw new UsageError(`--key ${keyFile} is not a JWK (no "kty")`, 'verify');
    return { keys: withTokenKid(jwk as KeyEntry['key'], tokenKid) };
  }
  if (text === '') throw new UsageError(`--key ${keyFile} is empty`, 'verify');
  // The bytes, not the text: a binary DER key does not survive decoding as UTF-8.
  refuseKeyMaterialAsSecret(bytes, `--key ${keyFile}`);
  return { keys: secretEntry(text, tokenKid, tokenAlg) };
}

/** The token's own value of a string claim (unverified), used only when no expectation was given. */
function ownString(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && typeof value[0] === 'string' && value[0] !== '') return value[0];
  return undefined;
}

/** A duration option: seconds as a bare number, or a string such as `15m`. */
function durationOption(parsed: ParsedArgs, name: string): Duration | undefined {
  const value = stringOption(parsed, name);
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : (value as Duration);
}

/** Runs `verify` and returns its exit code. */
export async function runVerify(args: readonly string[], io: CliIo): Promise<number> {
  const options: OptionsSpec = {
    key: { type: 'string', short: 'k' },
    'secret-env': { type: 'string' },
    jwks: { type: 'string' },
    iss: { type: 'string' },
    aud: { type: 'string' },
    'max-ttl': { type: 'string' },
    'clock-tolerance': { type: 'string' },
    typ: { type: 'string', multiple: true },
    type: { type: 'string' },
  };
  const parsed = parseCommandArgs('verify', args, options);
  if (parsed.values.help === true) {
    out(io, VERIFY_USAGE);
    return EXIT_OK;
  }
  const type = stringOption(parsed, 'type') ?? 'access';
  if (type === 'refresh') throw new UsageError(REFRESH_REFUSAL, 'verify');
  if (type !== 'access') throw new UsageError('--type must be "access"', 'verify');
  const token = await tokenArgument(io, 'verify', parsed);

  // The unverified header and claims only fill in what was not asked for (kid,
  // iss, aud, lifetime); the verification below decides.
  let header: Readonly<Record<string, unknown>>;
  let payload: Readonly<Record<string, unknown>>;
  try {
    ({ header, payload } = decodeToken(token, CLI_MAX_TOKEN_SIZE));
  } catch (error) {
    return reportFailure(io, error);
  }
  const tokenKid = typeof header.kid === 'string' && header.kid !== '' ? header.kid : undefined;
  const source = await keySource(io, parsed, tokenKid, header.alg);

  const notChecked: string[] = [];
  let issuer = stringOption(parsed, 'iss');
  if (issuer === undefined) {
    issuer = ownString(payload.iss);
    notChecked.push('iss (no --iss)');
  }
  let audience = stringOption(parsed, 'aud');
  if (audience === undefined) {
    audience = ownString(payload.aud);
    notChecked.push('aud (no --aud)');
  }
  let maxTtl = durationOption(parsed, 'max-ttl');
  if (maxTtl === undefined) {
    const { iat, exp } = payload;
    const lifetime = typeof iat === 'number' && typeof exp === 'number' ? Math.ceil(exp - iat) : Number.NaN;
    maxTtl = Number.isFinite(lifetime) && lifetime > 0 ? lifetime : undefined;
    notChecked.push('lifetime (no --max-ttl)');
  }
  const typs = stringListOption(parsed, 'typ');

  let auth: ReturnType<typeof createAuth>;
  try {
    auth = createAuth({
      ...source,
      ...(issuer !== undefined ? { issuer } : {}),
      ...(audience !== undefined ? { audience } : {}),
      ...(maxTtl !== undefined ? { accessTokenTtl: maxTtl } : {}),
      clockTolerance: durationOption(parsed, 'clock-tolerance') ?? '5s',
      maxTokenSize: CLI_MAX_TOKEN_SIZE,
      ...(typs.length > 0 ? { accessTokenType: typs } : {}),
    });
  } catch (error) {
    if (isAuthError(error) && error.code === 'CONFIG_INVALID') throw new UsageError(error.message, 'verify');
    throw error;
  }

  try {
    const claims = await auth.verifyToken(token);
    out(io, json(claims));
    err(
      io,
      `valid: ${String(header.alg)} signature${tokenKid ? ` (kid ${tokenKid})` : ''}, typ, exp/nbf/iat and required claims verified` +
        (notChecked.length > 0 ? `; NOT checked: ${notChecked.join(', ')}` : ''),
    );
    return EXIT_OK;
  } catch (error) {
    const code = reportFailure(io, error);
    if (
      isAuthError(error) &&
      error.code === 'TOKEN_TYPE_MISMATCH' &&
      normalizeType(header.typ) === REFRESH_TOKEN_TYPE
    ) {
      err(io, 'hint: this is a tokenward refresh token; the CLI only verifies access tokens (see --help)');
    }
    return code;
  }
}
