/**
 * Runs the issuer and the resource server side by side:
 * `npx tsx --tsconfig examples/tsconfig.json examples/resource-server/server.ts`
 * (ISSUER_PORT default 3000, PORT default 3001). For the key rotation, run `rotation.ts`.
 */

import { closeOnSignal, portFromEnv } from '../shared/server.js';
import { startResourceServer } from './app.js';
import { generateSigningKey, rotationPhase, startIssuer } from './issuer.js';

const issuer = await startIssuer({
  keys: rotationPhase.single(generateSigningKey('key-1')),
  port: portFromEnv(3000, 'ISSUER_PORT'),
});
const resources = await startResourceServer({ jwksUrl: issuer.jwksUrl, port: portFromEnv(3001) });
console.log(`issuer listening on ${issuer.url} (JWKS: ${issuer.jwksUrl})`);
console.log(`resource server listening on ${resources.url}`);
console.log(`  try: TOKEN=$(curl -s -H 'content-type: application/json' -d '{"username":"alice","password":"wonderland"}' \\
         ${issuer.url}/auth/login | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')
       curl -s -H "authorization: Bearer $TOKEN" ${resources.url}/reports`);
closeOnSignal(async () => {
  await resources.close();
  await issuer.close();
});
