/**
 * A stand-in for an external OpenID provider (shaped like a Keycloak realm), so that the
 * multi-issuer example runs without one: OIDC discovery, a JWKS with an RSA 2048-bit key
 * (RS256), and a token endpoint that signs access tokens the way Keycloak does (header
 * `typ: JWT`, roles under `realm_access.roles`, the client in `azp`). Its "login" takes a
 * user name and password in JSON; a real provider runs a full OAuth 2.0 flow instead.
 */

import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { listen, type RunningExample } from '../shared/server.js';
import { EXAMPLE_USERS } from '../shared/users.js';

/** The realm path, as Keycloak puts it in the issuer. */
const REALM = '/realms/acme';
/** The audience its tokens carry for the reports API (an "audience" mapper in Keycloak). */
export const IDP_AUDIENCE = 'reports-api';
/** The client its tokens are issued to. */
export const IDP_CLIENT = 'reports-app';

/** A running stand-in provider. */
export interface RunningIdp extends RunningExample {
  /** Its issuer: `http://127.0.0.1:PORT/realms/acme`. */
  readonly issuer: string;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Starts the stand-in provider on 127.0.0.1 and `port` (0: any free port). */
export async function startStandInIdp(port = 0): Promise<RunningIdp> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  let issuer = '';

  const accessToken = (user: (typeof EXAMPLE_USERS)[number]): string => {
    const iat = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid };
    const payload = {
      exp: iat + 300,
      iat,
      jti: randomUUID(),
      iss: issuer,
      aud: [IDP_AUDIENCE, 'account'],
      sub: user.sub,
      typ: 'Bearer',
      azp: IDP_CLIENT,
      realm_access: { roles: [...user.roles, 'offline_access'] },
      scope: (user.roles as readonly string[]).includes('admin')
        ? 'openid profile reports:export'
        : 'openid profile',
      preferred_username: user.username,
    };
    const input = `${encode(header)}.${encode(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };

  const server = createServer((request, response) => {
    const json = (status: number, body: unknown, cache = 'no-store') =>
      response
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': cache })
        .end(JSON.stringify(body));
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'GET' && path === `${REALM}/.well-known/openid-configuration`) {
      json(
        200,
        {
          issuer,
          jwks_uri: `${issuer}/protocol/openid-connect/certs`,
          token_endpoint: `${issuer}/protocol/openid-connect/token`,
          id_token_signing_alg_values_supported: ['RS256'],
        },
        'public, max-age=3600',
      );
    } else if (request.method === 'GET' && path === `${REALM}/protocol/openid-connect/certs`) {
      json(200, { keys: [jwk] }, 'public, max-age=300');
    } else if (request.method === 'POST' && path === `${REALM}/protocol/openid-connect/token`) {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      request.on('end', () => {
        let credentials: { username?: unknown; password?: unknown } = {};
        try {
          credentials = JSON.parse(body);
        } catch {
          // Left empty: answered as invalid credentials below.
        }
        const user = EXAMPLE_USERS.find(
          (candidate) =>
            candidate.username === credentials.username && candidate.password === credentials.password,
        );
        if (user === undefined) json(401, { error: 'invalid_grant' });
        else json(200, { access_token: accessToken(user), token_type: 'Bearer', expires_in: 300 });
      });
    } else {
      json(404, { error: 'not_found' });
    }
  });
  const running = await listen(server, port);
  issuer = `${running.url}${REALM}`;
  return { ...running, issuer };
}
