/**
 * `tokenward keygen`: an HMAC secret, or a key pair as JWK and PEM, for every
 * algorithm of the table in `keys/algorithms.ts` (its `keygenType` column).
 * @packageDocumentation
 */

import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { JWK } from 'jose';
import { ALGORITHM_NAMES, ALGORITHMS, type AlgorithmSpec, type JwsAlgorithm } from '../keys/algorithms.js';
import { jwkThumbprint } from '../keys/import-key.js';
import { kidProblem } from '../keys/kid.js';
import {
  type CliIo,
  EXIT_FAILURE,
  EXIT_OK,
  err,
  json,
  type OptionsSpec,
  out,
  parseCommandArgs,
  stringOption,
  UsageError,
} from './common.js';

/** The key types `keygen` generates: the `keygenType` of each algorithm in the table. */
export type KeygenType = (typeof ALGORITHMS)[JwsAlgorithm]['keygenType'];

/** The algorithms whose key is an HMAC secret. */
export type SecretAlgorithm = {
  [A in JwsAlgorithm]: (typeof ALGORITHMS)[A]['keyType'] extends 'secret' ? A : never;
}[JwsAlgorithm];

/** The algorithms whose key is a key pair. */
export type KeyPairAlgorithm = Exclude<JwsAlgorithm, SecretAlgorithm>;

/** The algorithm each `--type` generates for, in table order. */
const ALGORITHM_BY_TYPE: ReadonlyMap<string, JwsAlgorithm> = new Map(
  ALGORITHM_NAMES.map((alg) => [ALGORITHMS[alg].keygenType, alg]),
);
const KEYGEN_TYPES = [...ALGORITHM_BY_TYPE.keys()];
const DEFAULT_TYPE: KeygenType = ALGORITHMS.HS256.keygenType;
/** RSA modulus sizes offered; the table's minimum is the default. */
const RSA_SIZES = [2048, 3072, 4096];

function spec(alg: JwsAlgorithm): AlgorithmSpec {
  return ALGORITHMS[alg];
}

function isSecretAlgorithm(alg: JwsAlgorithm): alg is SecretAlgorithm {
  return spec(alg).keyType === 'secret';
}

/** The bytes of a secret for `alg`: the table's minimum, which RFC 7518 3.2 sets at the hash size. */
function secretBytes(alg: SecretAlgorithm): number {
  const bytes = spec(alg).minSecretBytes;
  // Every secret row of the table has one; a row without it is a bug of the table, not a default.
  if (bytes === undefined) throw new Error(`the algorithm table gives ${alg} no minSecretBytes`);
  return bytes;
}

/** The types whose keys are RSA: the only ones `--bits` applies to. */
const RSA_TYPES = ALGORITHM_NAMES.filter((alg) => spec(alg).keyType === 'rsa').map(
  (alg) => ALGORITHMS[alg].keygenType,
);

/** What a `--type` generates, for the usage text's type list. */
function typeDescription(alg: JwsAlgorithm): string {
  const row = spec(alg);
  switch (row.keyType) {
    case 'secret': {
      const bytes = secretBytes(alg as SecretAlgorithm);
      return `a random HMAC secret for ${alg}: ${bytes} random bytes, base64url (${Math.ceil((bytes * 4) / 3)} characters)`;
    }
    case 'ed25519':
      return `an Ed25519 key pair (alg ${alg}): small keys, fast signatures`;
    case 'ec':
      return `a ${row.curve?.jwk ?? 'EC'} key pair (alg ${alg})`;
    case 'rsa':
      return `an RSA key pair (alg ${alg}), ${row.minModulusBits ?? 2048} bits unless --bits says otherwise`;
  }
}

/** The HMAC algorithms other than the default, which createAuth needs named next to their secret. */
const OTHER_SECRET_ALGORITHMS = ALGORITHM_NAMES.filter((alg) => isSecretAlgorithm(alg) && alg !== 'HS256');

const TYPE_LINES = ALGORITHM_NAMES.map((alg) => {
  const type = ALGORITHMS[alg].keygenType;
  const name = type === DEFAULT_TYPE ? `${type} (default)` : type;
  return `  ${name.padEnd(15)}  ${typeDescription(alg)}`;
}).join('\n');

/** The usage text of `keygen`. */
export const KEYGEN_USAGE = `Usage: tokenward keygen [--type ${KEYGEN_TYPES.join('|')}] [--kid KID] [--bits N] [--out DIR] [--json]

Generates signing material for createAuth({ keys }).

${TYPE_LINES}

A secret is used as the string it is: keys: process.env.JWT_SECRET for HS256,
keys: { key: process.env.JWT_SECRET, alg } for ${OTHER_SECRET_ALGORITHMS.join(' or ')}. Only
the secret is written to standard output, so that
JWT_SECRET="$(npx tokenward keygen)" works.

A key pair is printed as a private JWK and a public JWK (both with kid, alg and
use "sig") and as PEM (private key PKCS#8, public key SPKI).

Options:
  --type TYPE   ${KEYGEN_TYPES.join(', ')} (default ${DEFAULT_TYPE})
  --kid KID     the key id of a key pair (default: its RFC 7638 JWK thumbprint);
                a PEM carries no kid, so pass { key: pem, kid } to createAuth
                when you choose one
  --bits N      RSA modulus size: ${RSA_SIZES.join(', ')} (${RSA_TYPES.join(', ')} only; default ${RSA_SIZES[0]})
  --out DIR     write files into DIR instead of printing. A new DIR is created
                with mode 0700; an existing one that its group or others can
                write to is refused. Existing files are never overwritten;
                secret files get mode 0600:
                  secret:    secret.txt
                  key pair:  private.jwk.json  public.jwk.json  jwks.json
                             private.pem  public.pem
  --json        print one JSON object instead of text
  -h, --help    show this help

The secret and the private keys are printed because you asked for them: keep
them out of logs and version control.

Exit codes: 0 generated, 1 a file could not be written, 2 usage error.`;

/** A generated key pair with everything `keygen` prints about it. */
export interface GeneratedKeyPair {
  /** The key id. */
  readonly kid: string;
  /** The JWS algorithm the key signs with. */
  readonly alg: KeyPairAlgorithm;
  /** The private JWK, with `kid`, `alg` and `use`. */
  readonly privateJwk: JWK;
  /** The public JWK, with `kid`, `alg` and `use`. */
  readonly publicJwk: JWK;
  /** The private key as PKCS#8 PEM. */
  readonly privatePem: string;
  /** The public key as SPKI PEM. */
  readonly publicPem: string;
}

/** Generates a random HMAC secret for `alg` (HS256 by default): as many random bytes as the table asks, as base64url text. */
export function generateSecret(alg: SecretAlgorithm = 'HS256'): string {
  return randomBytes(secretBytes(alg)).toString('base64url');
}

function newKeyPair(alg: KeyPairAlgorithm, bits: number): { privateKey: KeyObject; publicKey: KeyObject } {
  const row = spec(alg);
  switch (row.keyType) {
    case 'ed25519':
      return generateKeyPairSync('ed25519');
    case 'ec':
      if (row.curve === undefined) throw new Error(`the algorithm table gives ${alg} no curve`);
      return generateKeyPairSync('ec', { namedCurve: row.curve.node });
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
    case 'secret':
      throw new Error(`${alg} takes a secret, not a key pair`);
  }
}

/** Generates a key pair for `alg`, named `kid` or else by its RFC 7638 thumbprint. */
export function generateKeyPair(
  alg: KeyPairAlgorithm,
  options: { kid?: string | undefined; bits?: number | undefined } = {},
): GeneratedKeyPair {
  const { privateKey, publicKey } = newKeyPair(
    alg,
    options.bits ?? spec(alg).minModulusBits ?? RSA_SIZES[0]!,
  );
  const publicBase = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = options.kid ?? jwkThumbprint(publicBase);
  const privateBase = privateKey.export({ format: 'jwk' }) as JWK;
  return {
    kid,
    alg,
    privateJwk: { ...privateBase, kid, alg, use: 'sig' },
    publicJwk: { ...publicBase, kid, alg, use: 'sig' },
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** One file `keygen --out` writes. */
interface OutputFile {
  readonly name: string;
  readonly content: string;
  /** Secret material: readable by its owner only. */
  readonly secret: boolean;
}

/** An `--out` directory others could write into: they could swap or plant key files. */
class UnsafeDirectoryError extends Error {
  constructor(dir: string, mode: number) {
    super(
      `${dir} is writable by ${mode & 0o002 ? 'others' : 'its group'} (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): ` +
        'refusing to write keys into it; give a directory only you can write to, or a new one',
    );
    this.name = 'UnsafeDirectoryError';
  }
}

/**
 * Makes `dir` ready for key files: a new directory is created with mode 0700
 * whatever the umask; an existing one must be a directory that neither its
 * group nor others can write to.
 */
async function prepareOutDir(dir: string, shownAs: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  try {
    // Not recursive: EEXIST tells a directory someone else may have made from one we made.
    await mkdir(dir, { mode: 0o700 });
    // The umask may have taken bits away; the owner needs all three, nobody else any.
    await chmod(dir, 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stats = await stat(dir);
  if (!stats.isDirectory()) {
    throw Object.assign(new Error(`${shownAs} is not a directory`), { code: 'ENOTDIR' });
  }
  if ((stats.mode & 0o022) !== 0) throw new UnsafeDirectoryError(shownAs, stats.mode);
}

/** Writes the files into `dir`, refusing (before writing any) when one of them exists. */
async function writeFiles(io: CliIo, dir: string, files: readonly OutputFile[]): Promise<string[]> {
  const absolute = resolve(io.cwd, dir);
  await prepareOutDir(absolute, dir);
  const paths = files.map((file) => join(dir, file.name));
  const existing = paths.filter((path) => existsSync(resolve(io.cwd, path)));
  if (existing.length > 0) {
    throw Object.assign(new Error(`${existing.join(', ')} already exist(s)`), { code: 'EEXIST' });
  }
  for (const [index, file] of files.entries()) {
    const content = file.content.endsWith('\n') ? file.content : `${file.content}\n`;
    // 'wx' fails when the file exists: a key is never overwritten, even in a race.
    await writeFile(resolve(io.cwd, paths[index]!), content, {
      flag: 'wx',
      mode: file.secret ? 0o600 : 0o644,
    });
  }
  return paths;
}

function parseType(value: string | undefined): JwsAlgorithm {
  const alg = ALGORITHM_BY_TYPE.get((value ?? DEFAULT_TYPE).toLowerCase());
  if (alg === undefined) throw new UsageError(`--type must be one of ${KEYGEN_TYPES.join(', ')}`, 'keygen');
  return alg;
}

function parseBits(value: string | undefined, alg: JwsAlgorithm): number | undefined {
  if (value === undefined) return undefined;
  const row = spec(alg);
  if (row.keyType !== 'rsa')
    throw new UsageError(`--bits only applies to --type ${RSA_TYPES.join(', ')}`, 'keygen');
  const bits = Number(value);
  const sizes = RSA_SIZES.filter((size) => size >= (row.minModulusBits ?? 0));
  if (!sizes.includes(bits)) throw new UsageError(`--bits must be one of ${sizes.join(', ')}`, 'keygen');
  return bits;
}

function parseKid(value: string | undefined, alg: JwsAlgorithm): string | undefined {
  if (value === undefined) return undefined;
  if (isSecretAlgorithm(alg)) {
    throw new UsageError(
      '--kid applies to key pairs; for a secret, name it in createAuth: keys: [{ key: secret, kid }]',
      'keygen',
    );
  }
  // The rule key import applies, so a kid keygen accepts is one createAuth accepts.
  const problem = kidProblem(value);
  if (problem !== undefined) throw new UsageError(`--kid: ${problem}`, 'keygen');
  return value;
}

/** Runs `keygen` and returns its exit code. */
export async function runKeygen(args: readonly string[], io: CliIo): Promise<number> {
  const options: OptionsSpec = {
    type: { type: 'string', short: 't' },
    kid: { type: 'string' },
    bits: { type: 'string' },
    out: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
  };
  const parsed = parseCommandArgs('keygen', args, options);
  if (parsed.values.help === true) {
    out(io, KEYGEN_USAGE);
    return EXIT_OK;
  }
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`, 'keygen');
  }
  const alg = parseType(stringOption(parsed, 'type'));
  const bits = parseBits(stringOption(parsed, 'bits'), alg);
  const kid = parseKid(stringOption(parsed, 'kid'), alg);
  const outDir = stringOption(parsed, 'out');
  const asJson = parsed.values.json === true;

  try {
    if (isSecretAlgorithm(alg)) {
      const secret = generateSecret(alg);
      if (outDir !== undefined) {
        const [path] = await writeFiles(io, outDir, [{ name: 'secret.txt', content: secret, secret: true }]);
        out(io, asJson ? json({ alg, files: { secret: path } }) : `wrote ${path} (${alg} secret)`);
      } else {
        out(io, asJson ? json({ alg, secret }) : secret);
      }
      return EXIT_OK;
    }

    const pair = generateKeyPair(alg, { kid, bits });
    if (outDir !== undefined) {
      const [privateJwk, publicJwk, jwks, privatePem, publicPem] = await writeFiles(io, outDir, [
        { name: 'private.jwk.json', content: json(pair.privateJwk), secret: true },
        { name: 'public.jwk.json', content: json(pair.publicJwk), secret: false },
        { name: 'jwks.json', content: json({ keys: [pair.publicJwk] }), secret: false },
        { name: 'private.pem', content: pair.privatePem, secret: true },
        { name: 'public.pem', content: pair.publicPem, secret: false },
      ]);
      const files = { privateJwk, publicJwk, jwks, privatePem, publicPem };
      out(
        io,
        asJson
          ? json({ kid: pair.kid, alg: pair.alg, files })
          : [`${pair.alg} key pair, kid ${pair.kid}`, ...Object.values(files).map((p) => `wrote ${p}`)].join(
              '\n',
            ),
      );
      return EXIT_OK;
    }
    out(
      io,
      asJson
        ? json(pair)
        : [
            `# ${pair.alg} key pair, kid ${pair.kid}`,
            '# private JWK (secret: createAuth({ keys: <this> })):',
            json(pair.privateJwk),
            '# public JWK (publish it in a JWKS for verify-only services):',
            json(pair.publicJwk),
            '# private key, PKCS#8 PEM (secret):',
            pair.privatePem.trimEnd(),
            '# public key, SPKI PEM:',
            pair.publicPem.trimEnd(),
          ].join('\n'),
    );
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UnsafeDirectoryError) {
      err(io, `keygen: ${error.message}`);
      return EXIT_FAILURE;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'EACCES' || code === 'ENOTDIR' || code === 'EPERM') {
      err(io, `keygen: ${(error as Error).message} (nothing is overwritten)`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
