/**
 * `tokenward keygen`: an HMAC secret, or an EdDSA / ES256 / RS256 key pair as JWK and PEM.
 * @packageDocumentation
 */

import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { JWK } from 'jose';
import { jwkThumbprint } from '../keys/import-key.js';
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

/** The usage text of `keygen`. */
export const KEYGEN_USAGE = `Usage: tokenward keygen [--type hs256|eddsa|es256|rs256] [--kid KID] [--out DIR] [--json]

Generates signing material for createAuth({ keys }).

  hs256 (default)  a random HMAC secret: 32 random bytes, base64url (43 characters).
                   Use the string as is: keys: process.env.JWT_SECRET.
                   Only the secret is written to standard output, so that
                   JWT_SECRET="$(npx tokenward keygen)" works.
  eddsa            an Ed25519 key pair (alg EdDSA): small keys, fast signatures.
  es256            a P-256 key pair (alg ES256).
  rs256            an RSA key pair (alg RS256), 2048 bits unless --bits says otherwise.

A key pair is printed as a private JWK and a public JWK (both with kid, alg and
use "sig") and as PEM (private key PKCS#8, public key SPKI).

Options:
  --type TYPE   hs256, eddsa, es256 or rs256 (default hs256)
  --kid KID     the key id of a key pair (default: its RFC 7638 JWK thumbprint);
                a PEM carries no kid, so pass { key: pem, kid } to createAuth
                when you choose one
  --bits N      RSA modulus size: 2048, 3072 or 4096 (rs256 only; default 2048)
  --out DIR     write files into DIR instead of printing. A new DIR is created
                with mode 0700; an existing one that its group or others can
                write to is refused. Existing files are never overwritten;
                secret files get mode 0600:
                  hs256:     secret.txt
                  key pair:  private.jwk.json  public.jwk.json  jwks.json
                             private.pem  public.pem
  --json        print one JSON object instead of text
  -h, --help    show this help

The secret and the private keys are printed because you asked for them: keep
them out of logs and version control.

Exit codes: 0 generated, 1 a file could not be written, 2 usage error.`;

/** The key types `keygen` generates. */
export type KeygenType = 'hs256' | 'eddsa' | 'es256' | 'rs256';

const KEY_TYPES: readonly KeygenType[] = ['hs256', 'eddsa', 'es256', 'rs256'];
const RSA_SIZES = [2048, 3072, 4096];
const SECRET_BYTES = 32;

/** A generated key pair with everything `keygen` prints about it. */
export interface GeneratedKeyPair {
  /** The key id. */
  readonly kid: string;
  /** The JWS algorithm the key signs with. */
  readonly alg: 'EdDSA' | 'ES256' | 'RS256';
  /** The private JWK, with `kid`, `alg` and `use`. */
  readonly privateJwk: JWK;
  /** The public JWK, with `kid`, `alg` and `use`. */
  readonly publicJwk: JWK;
  /** The private key as PKCS#8 PEM. */
  readonly privatePem: string;
  /** The public key as SPKI PEM. */
  readonly publicPem: string;
}

/** Generates a random HMAC secret: 32 random bytes as base64url text. */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

function newKeyPair(
  type: Exclude<KeygenType, 'hs256'>,
  bits: number,
): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (type) {
    case 'eddsa':
      return generateKeyPairSync('ed25519');
    case 'es256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'rs256':
      return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  }
}

const ALGORITHMS = { eddsa: 'EdDSA', es256: 'ES256', rs256: 'RS256' } as const;

/** Generates a key pair of the type, named `kid` or else by its RFC 7638 thumbprint. */
export function generateKeyPair(
  type: Exclude<KeygenType, 'hs256'>,
  options: { kid?: string | undefined; bits?: number | undefined } = {},
): GeneratedKeyPair {
  const { privateKey, publicKey } = newKeyPair(type, options.bits ?? 2048);
  const alg = ALGORITHMS[type];
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

function parseType(value: string | undefined): KeygenType {
  const type = (value ?? 'hs256').toLowerCase();
  if (!(KEY_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`--type must be one of ${KEY_TYPES.join(', ')}`, 'keygen');
  }
  return type as KeygenType;
}

function parseBits(value: string | undefined, type: KeygenType): number | undefined {
  if (value === undefined) return undefined;
  if (type !== 'rs256') throw new UsageError('--bits only applies to --type rs256', 'keygen');
  const bits = Number(value);
  if (!RSA_SIZES.includes(bits))
    throw new UsageError(`--bits must be one of ${RSA_SIZES.join(', ')}`, 'keygen');
  return bits;
}

function parseKid(value: string | undefined, type: KeygenType): string | undefined {
  if (value === undefined) return undefined;
  if (type === 'hs256') {
    throw new UsageError(
      '--kid applies to key pairs; for a secret, name it in createAuth: keys: [{ key: secret, kid }]',
      'keygen',
    );
  }
  if (value.length === 0 || value.length > 256) {
    throw new UsageError('--kid must have between 1 and 256 characters', 'keygen');
  }
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
  const type = parseType(stringOption(parsed, 'type'));
  const bits = parseBits(stringOption(parsed, 'bits'), type);
  const kid = parseKid(stringOption(parsed, 'kid'), type);
  const outDir = stringOption(parsed, 'out');
  const asJson = parsed.values.json === true;

  try {
    if (type === 'hs256') {
      const secret = generateSecret();
      if (outDir !== undefined) {
        const [path] = await writeFiles(io, outDir, [{ name: 'secret.txt', content: secret, secret: true }]);
        out(io, asJson ? json({ alg: 'HS256', files: { secret: path } }) : `wrote ${path} (HS256 secret)`);
      } else {
        out(io, asJson ? json({ alg: 'HS256', secret }) : secret);
      }
      return EXIT_OK;
    }

    const pair = generateKeyPair(type, { kid, bits });
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
