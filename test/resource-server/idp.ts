/**
 * A real identity provider's public side on 127.0.0.1: its OpenID configuration and its JWKS,
 * over HTTP, with RSA 2048-bit keys (RS256) signing tokens shaped as the provider documents them.
 * Every request is counted, and the JWKS endpoint can be made to fail or hang.
 */

import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { listen, type RunningServer } from '../support/servers.js';
import { b64 } from '../support/tokens.js';

/** How the JWKS endpoint answers. */
export type JwksMode = 'ok' | 'fail' | 'hang' | 'garbage' | 'empty';

/** One RSA signing key of the provider. */
export interface IdpKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A running provider. */
export interface FakeIdp {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** The issuer its tokens carry (`origin` + `issuerPath`). */
  readonly issuer: string;
  /** Where its JWKS is. */
  readonly jwksUri: string;
  /** The keys it publishes; the first signs. */
  keys: IdpKey[];
  /** How its JWKS endpoint answers now. */
  jwksMode: JwksMode;
  /** The `Cache-Control` of its JWKS and configuration answers (none when `undefined`). */
  cacheControl: string | undefined;
  /** Overrides of its OpenID configuration (a wrong `issuer`, another `jwks_uri`). */
  configuration: Record<string, unknown>;
  /** Requests so far, by path. */
  readonly hits: { jwks: number; configuration: number };
  /** Signs `payload` with `header` (alg RS256 and the first key's kid unless the header says otherwise). */
  sign(header: Record<string, unknown>, payload: Record<string, unknown>, key?: IdpKey): string;
  close(): Promise<void>;
}

/** A fresh RSA 2048-bit key with a kid shaped like a thumbprint, as most providers publish. */
export function rsaKey(): IdpKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = createHash('sha256').update(der).digest('base64url').slice(0, 27);
  return { kid, privateKey, publicKey };
}

/** Signs a compact JWS with RS256 over whatever header and payload are given. */
export function rs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function json(response: ServerResponse, body: unknown, cacheControl: string | undefined): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cacheControl !== undefined) headers['cache-control'] = cacheControl;
  response.writeHead(200, headers).end(JSON.stringify(body));
}

/** Starts a provider whose issuer is `origin + issuerPath` (e.g. `/realms/acme`, `/` for Auth0). */
export async function startIdp(issuerPath: string, jwksPath = '/.well-known/jwks.json'): Promise<FakeIdp> {
  let running: RunningServer | undefined;
  const hanging = new Set<ServerResponse>();
  const idp: FakeIdp = {
    origin: '',
    issuer: '',
    jwksUri: '',
    keys: [rsaKey()],
    jwksMode: 'ok',
    cacheControl: undefined,
    configuration: {},
    hits: { jwks: 0, configuration: 0 },
    sign(header, payload, key = idp.keys[0] as IdpKey) {
      return rs256({ alg: 'RS256', kid: key.kid, ...header }, payload, key.privateKey);
    },
    async close() {
      for (const response of hanging) response.destroy();
      await running?.close();
    },
  };
  const base = issuerPath.endsWith('/') ? issuerPath.slice(0, -1) : issuerPath;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === `${base}/.well-known/openid-configuration`) {
      idp.hits.configuration++;
      json(
        response,
        {
          issuer: idp.issuer,
          jwks_uri: idp.jwksUri,
          authorization_endpoint: `${idp.origin}${base}/authorize`,
          token_endpoint: `${idp.origin}${base}/token`,
          id_token_signing_alg_values_supported: ['RS256'],
          ...idp.configuration,
        },
        idp.cacheControl,
      );
      return;
    }
    if (path === jwksPath) {
      idp.hits.jwks++;
      if (idp.jwksMode === 'fail') {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('down');
        return;
      }
      if (idp.jwksMode === 'hang') {
        hanging.add(response);
        return;
      }
      if (idp.jwksMode === 'garbage') {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [');
        return;
      }
      if (idp.jwksMode === 'empty') {
        json(response, { keys: [] }, idp.cacheControl);
        return;
      }
      const keys = idp.keys.map((key) => ({
        ...(key.publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
        kid: key.kid,
        use: 'sig',
        alg: 'RS256',
      }));
      json(response, { keys }, idp.cacheControl);
      return;
    }
    response.writeHead(404).end();
  });
  running = await listen(server);
  const mutable = idp as { -readonly [K in keyof FakeIdp]: FakeIdp[K] };
  mutable.origin = running.url;
  mutable.issuer = `${running.url}${issuerPath}`;
  mutable.jwksUri = `${running.url}${jwksPath}`;
  return idp;
}
