/**
 * A resource server that trusts two issuers at once:
 * `npx tsx --tsconfig examples/tsconfig.json examples/resource-server/multi-issuer.ts`
 * (ISSUER_PORT default 3000, IDP_PORT default 3002, PORT default 3001).
 *
 * - the tokenward issuer of this folder (EdDSA, `at+jwt`, its JWKS at a fixed URL);
 * - an external OpenID provider, here a stand-in shaped like a Keycloak realm, found by OIDC
 *   discovery (`typ: JWT` allowed for it alone, roles read from `realm_access.roles`, tokens
 *   tied to its client by `azp`).
 *
 * Each token is checked with the keys and the rules of the issuer its `iss` names, and no other.
 */

import { createServer } from 'node:http';
import express from 'express';
import { createAuth } from 'tokenward';
import { authenticate, requireRole, requireScope } from 'tokenward/express';
import { EXAMPLE_AUDIENCE, EXAMPLE_ISSUER } from '../shared/app-config.js';
import { closeOnSignal, listen, portFromEnv, type RunningExample } from '../shared/server.js';
import { generateSigningKey, rotationPhase, startIssuer } from './issuer.js';
import { IDP_AUDIENCE, IDP_CLIENT, startStandInIdp } from './stand-in-idp.js';

/** Starts the resource server on 127.0.0.1 and `port`, trusting both issuers. */
export async function startMultiIssuerServer(options: {
  jwksUrl: string;
  idpIssuer: string;
  port?: number;
}): Promise<RunningExample> {
  const auth = createAuth({
    issuers: [
      // Our own issuer: its default policy (typ at+jwt, roles in `roles`).
      { issuer: EXAMPLE_ISSUER, jwks: options.jwksUrl, audience: EXAMPLE_AUDIENCE, algorithms: ['EdDSA'] },
      {
        issuer: options.idpIssuer,
        discovery: true,
        audience: IDP_AUDIENCE,
        clientIds: [IDP_CLIENT],
        accessTokenType: 'JWT',
        rolesClaim: 'realm_access.roles',
        algorithms: ['RS256'],
      },
    ],
  });
  const app = express();
  app.get('/reports', authenticate(auth), (req, res) => {
    res.json({ reports: ['q1', 'q2'], for: req.auth?.sub, issuer: req.auth?.iss });
  });
  app.get('/reports/audit', authenticate(auth), requireRole('admin'), (req, res) => {
    res.json({ audit: 'clean', for: req.auth?.sub });
  });
  app.get('/reports/export', authenticate(auth), requireScope('reports:export'), (req, res) => {
    res.json({ export: 'q1.csv', for: req.auth?.sub });
  });
  return listen(createServer(app), options.port ?? 0);
}

const issuer = await startIssuer({
  keys: rotationPhase.single(generateSigningKey('key-1')),
  port: portFromEnv(3000, 'ISSUER_PORT'),
});
const idp = await startStandInIdp(portFromEnv(3002, 'IDP_PORT'));
const resources = await startMultiIssuerServer({
  jwksUrl: issuer.jwksUrl,
  idpIssuer: idp.issuer,
  port: portFromEnv(3001),
});
console.log(`issuer listening on ${issuer.url} (JWKS: ${issuer.jwksUrl})`);
console.log(`identity provider listening on ${idp.url} (issuer: ${idp.issuer})`);
console.log(`multi-issuer resource server listening on ${resources.url}`);
console.log(`  try: TOKEN=$(curl -s -H 'content-type: application/json' -d '{"username":"alice","password":"wonderland"}' \\
         ${idp.issuer}/protocol/openid-connect/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
       curl -s -H "authorization: Bearer $TOKEN" ${resources.url}/reports/export`);
closeOnSignal(async () => {
  await resources.close();
  await idp.close();
  await issuer.close();
});
