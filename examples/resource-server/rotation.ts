/**
 * A key rotation, narrated: `npx tsx --tsconfig examples/tsconfig.json examples/resource-server/rotation.ts`.
 *
 * The issuer signs with key-1; it publishes key-2, switches to signing with
 * key-2 while key-1 stays published (old tokens still verify everywhere), then
 * drops key-1 (tokens it signed now fail). The resource server follows through
 * the JWKS alone. Exits 0 when every step answered what it should.
 */

import { Narrator, style } from '../demo/narrator.js';
import { type Exchange, field, Session } from '../shared/client.js';
import { EXAMPLE_USERS } from '../shared/users.js';
import { startResourceServer } from './app.js';
import { generateSigningKey, rotationPhase, startIssuer } from './issuer.js';

// The issuer's JWKS says `Cache-Control: public, max-age=300` by default, and verifiers keep it
// that long (10 minutes at most); a walkthrough would mostly wait. Here the JWKS says max-age=1,
// the resource server keeps it a second at most, and the walkthrough waits that out where a real
// rotation waits out the real cache age: publish, wait max-age, sign with the new key.
const CACHE_MAX_AGE_MS = 1_000;

const [alice] = EXAMPLE_USERS;

/** The `kid` in a token's header (read, not verified: only to show which key signed it). */
function kidOf(token: string | undefined): string | undefined {
  const header = token?.split('.')[0];
  if (header === undefined) return undefined;
  return (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid?: string }).kid;
}

function publishedKids(exchange: Exchange): string[] {
  const keys = field(exchange, 'keys');
  return Array.isArray(keys) ? keys.map((key: { kid?: unknown }) => String(key.kid)) : [];
}

function expectKids(...kids: string[]): (exchange: Exchange) => string | undefined {
  return (exchange) => {
    const published = publishedKids(exchange);
    return published.join() === kids.join() ? undefined : `the JWKS lists [${published}], expected [${kids}]`;
  };
}

function signedBy(session: Session, kid: string): () => string | undefined {
  return () => {
    const actual = kidOf(session.accessToken);
    return actual === kid ? undefined : `the access token was signed by ${actual}, expected ${kid}`;
  };
}

async function waitForCacheExpiry(narrator: Narrator): Promise<void> {
  narrator.say(`   (waiting ${CACHE_MAX_AGE_MS / 1000} s for the resource server's JWKS cache to expire)`);
  // A margin over the cache age: the cache judges freshness with Date.now(), this wait with a timer.
  await new Promise((resolve) => setTimeout(resolve, CACHE_MAX_AGE_MS + 250));
}

const key1 = generateSigningKey('key-1');
const key2 = generateSigningKey('key-2');
const issuer = await startIssuer({ keys: rotationPhase.single(key1), jwksMaxAge: '1s' });
const resources = await startResourceServer({
  jwksUrl: issuer.jwksUrl,
  jwksOptions: { cacheMaxAge: CACHE_MAX_AGE_MS },
});
const narrator = new Narrator();
const user = new Session(issuer.url);
const jwks = () => user.send('GET', '/.well-known/jwks.json');
const atResourceServer = (token: string | undefined) => new Session(resources.url).get('/reports', token);

console.log(style.bold(`Key rotation: issuer ${issuer.url}, resource server ${resources.url}`));
try {
  const step = (...args: Parameters<Narrator['step']>) => {
    if (!narrator.step(...args)) throw new Error('step failed');
  };
  step(
    'the issuer publishes its public key',
    await jwks(),
    { status: 200, check: expectKids('key-1') },
    'one Ed25519 public key, key-1',
  );
  step(
    'alice logs in at the issuer',
    await user.login(alice.username, alice.password),
    { status: 200, check: signedBy(user, 'key-1') },
    'her access token is signed with key-1',
  );
  const oldToken = user.accessToken;
  step(
    'the resource server gets a key-1 token',
    await atResourceServer(oldToken),
    { status: 200 },
    'it fetched the JWKS and verified the signature, with no secret of its own',
  );

  narrator.say('');
  narrator.say('Phase 1: the issuer publishes key-2 but still signs with key-1.');
  issuer.replaceKeys(rotationPhase.publish(key1, key2));
  step(
    'the JWKS now lists both keys',
    await jwks(),
    { status: 200, check: expectKids('key-1', 'key-2') },
    'verifiers pick up key-2 before any token is signed with it',
  );
  await waitForCacheExpiry(narrator);

  narrator.say('');
  narrator.say('Phase 2: the issuer signs with key-2; key-1 stays published.');
  issuer.replaceKeys(rotationPhase.switch(key1, key2));
  step(
    'alice refreshes at the issuer',
    await user.refresh(),
    { status: 200, check: signedBy(user, 'key-2') },
    'her refresh token (signed with key-1) still verifies; the new pair is signed with key-2',
  );
  step(
    'the resource server gets the key-2 token',
    await atResourceServer(user.accessToken),
    { status: 200 },
    'key-2 is in its cached JWKS already',
  );
  step(
    'the resource server gets the old key-1 token',
    await atResourceServer(oldToken),
    { status: 200 },
    'the overlap: tokens signed before the switch keep working',
  );

  narrator.say('');
  narrator.say(
    'Phase 3: key-1 is dropped (in production: once every token it signed has expired, 15 min here).',
  );
  issuer.replaceKeys(rotationPhase.single(key2));
  step(
    'the JWKS lists key-2 only',
    await jwks(),
    { status: 200, check: expectKids('key-2') },
    'key-1 is gone',
  );
  await waitForCacheExpiry(narrator);
  step(
    'the resource server gets the old key-1 token',
    await atResourceServer(oldToken),
    { status: 401, code: 'TOKEN_INVALID' },
    'no published key verifies it any more',
  );
  step(
    'the resource server gets the key-2 token',
    await atResourceServer(user.accessToken),
    { status: 200 },
    'current sessions never noticed the rotation',
  );
} catch (error) {
  if (narrator.failures === 0) {
    console.error(
      style.red(`\nThe walkthrough broke off: ${error instanceof Error ? error.stack : String(error)}`),
    );
  }
  process.exitCode = 1;
} finally {
  await resources.close();
  await issuer.close();
}
console.log('');
console.log(
  process.exitCode === 1
    ? style.red('✗ Something did not behave as it should (see above).')
    : style.green('✓ The rotation went as planned.'),
);
