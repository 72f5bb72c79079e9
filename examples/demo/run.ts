/**
 * The narrated demo: `npm run demo` (`--serve` to keep the server up afterwards).
 *
 * Starts the Express example on the in-memory store, walks two users through
 * the whole flow, printing each request and answer, and exits 0 only when every
 * step answered what it should.
 */

import { startExpressExample } from '../express/app.js';
import { type Exchange, field, Session } from '../shared/client.js';
import { closeOnSignal, portFromEnv } from '../shared/server.js';
import { EXAMPLE_USERS } from '../shared/users.js';
import { Narrator, style } from './narrator.js';

const serve = process.argv.slice(2).includes('--serve');

const [alice, bob] = EXAMPLE_USERS;

// The server's clock, moved forward to expire access tokens now instead of in 15 minutes.
let clockOffsetMs = 0;
const FIFTEEN_MINUTES_AND_A_BIT = 16 * 60_000;

function hasTokens(exchange: Exchange): string | undefined {
  if (typeof field(exchange, 'accessToken') !== 'string') return 'no accessToken in the answer';
  const cookie = exchange.setCookies[0] ?? '';
  if (!/HttpOnly/i.test(cookie)) return 'no httpOnly refresh cookie was set';
  if ('refreshToken' in (exchange.body as object)) return 'the refresh token leaked into the body';
  return undefined;
}

function fieldIs(name: string, wanted: unknown): (exchange: Exchange) => string | undefined {
  return (exchange) => {
    const value = field(exchange, name);
    return JSON.stringify(value) === JSON.stringify(wanted)
      ? undefined
      : `${name} is ${JSON.stringify(value)}, expected ${JSON.stringify(wanted)}`;
  };
}

/** The narrated flow; it stops at the first step that misbehaves (the narrator counts it). */
async function narrate(url: string, narrator: Narrator): Promise<void> {
  const a = new Session(url);
  const b = new Session(url);
  const step = (...args: Parameters<Narrator['step']>) => {
    if (!narrator.step(...args)) throw new Error('step failed');
  };

  narrator.say('Two users: alice is an admin, bob is not. Both log in.');
  step(
    'alice logs in',
    await a.login(alice.username, alice.password),
    { status: 200, check: hasTokens },
    'an access token in the body; the refresh token in an httpOnly cookie only',
  );
  step(
    'bob logs in',
    await b.login(bob.username, bob.password),
    { status: 200, check: hasTokens },
    'bob has his own pair',
  );
  step(
    'alice asks who she is',
    await a.get('/me'),
    { status: 200, check: fieldIs('username', 'alice') },
    'the access token says: alice, roles [admin]',
  );
  step(
    'bob opens the admin dashboard',
    await b.get('/admin/dashboard'),
    { status: 403, code: 'FORBIDDEN' },
    'bob is authenticated but not an admin: 403, and the challenge says insufficient_scope',
  );
  step(
    'alice opens the admin dashboard',
    await a.get('/admin/dashboard'),
    { status: 200, check: fieldIs('message', 'Welcome alice, to the admin dashboard') },
    'alice is an admin',
  );

  clockOffsetMs += FIFTEEN_MINUTES_AND_A_BIT;
  narrator.say('');
  narrator.say("⏩ The server's clock jumps 16 minutes ahead: access tokens live 15 minutes.");
  step(
    'alice asks again with her old access token',
    await a.get('/me'),
    { status: 401, code: 'TOKEN_EXPIRED' },
    'expired: the client should refresh',
  );
  const stolen = a.refreshCookie;
  const expired = a.accessToken;
  step(
    'alice refreshes with her cookie',
    await a.refresh(),
    {
      status: 200,
      check: (exchange) =>
        a.refreshCookie === stolen || a.accessToken === expired
          ? 'the pair was not rotated'
          : hasTokens(exchange),
    },
    'rotation: a new access token and a new refresh cookie; the old refresh token is now spent',
  );
  step(
    'alice asks again with the new access token',
    await a.get('/me'),
    {
      status: 200,
      check: fieldIs('username', 'alice'),
    },
    'back in',
  );

  narrator.say('');
  narrator.say("Someone copied alice's previous refresh cookie and replays it now.");
  step(
    'the thief replays the spent refresh token',
    await a.refresh(stolen),
    {
      status: 401,
      code: 'REFRESH_TOKEN_REUSED',
    },
    'reuse detected: the whole token family is revoked',
  );
  step(
    "alice's own, newer refresh token",
    await a.refresh(),
    { status: 401, code: 'TOKEN_REVOKED' },
    'it died with its family: the thief and alice both have to log in again',
  );

  narrator.say('');
  narrator.say("bob's access token expired with the clock jump too; he refreshes, then logs out.");
  step('bob refreshes', await b.refresh(), { status: 200, check: hasTokens }, 'a fresh pair for bob');
  const bobsCookie = b.refreshCookie;
  const bobsToken = b.accessToken;
  step(
    'bob logs out',
    await b.logout(),
    {
      status: 204,
      check: () => (b.refreshCookie === undefined ? undefined : 'the refresh cookie was not cleared'),
    },
    'his refresh token family is revoked and the cookie cleared',
  );
  step(
    "bob's refresh token after the logout",
    await b.refresh(bobsCookie),
    { status: 401, code: 'TOKEN_REVOKED' },
    'a logged-out session cannot be refreshed',
  );
  step(
    "bob's access token after the logout",
    await b.get('/me', bobsToken),
    { status: 401, code: 'TOKEN_REVOKED' },
    'the access token sent with the logout is denied too (checkRevocation)',
  );

  await narrateDevices(url, step, narrator);
}

const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

interface ListedSession {
  id: string;
  label?: string;
  current: boolean;
}

function sessionsOf(exchange: Exchange): ListedSession[] {
  const sessions = field(exchange, 'sessions');
  return Array.isArray(sessions) ? (sessions as ListedSession[]) : [];
}

function listed(wanted: string[]): (exchange: Exchange) => string | undefined {
  return (exchange) => {
    const labels = sessionsOf(exchange).map((s) => `${s.label}${s.current ? ' (current)' : ''}`);
    return JSON.stringify(labels) === JSON.stringify(wanted)
      ? undefined
      : `listed ${JSON.stringify(labels)}, expected ${JSON.stringify(wanted)}`;
  };
}

/** Two devices of one user: the device page lists both, and one ends the other. */
async function narrateDevices(
  url: string,
  step: (...args: Parameters<Narrator['step']>) => void,
  narrator: Narrator,
): Promise<void> {
  const phone = new Session(url, '/auth', PHONE);
  const laptop = new Session(url, '/auth', LAPTOP);
  narrator.say('');
  narrator.say('Sessions and devices: alice signs in again, on her phone and on her laptop.');
  step(
    'alice logs in on her phone',
    await phone.login(alice.username, alice.password),
    { status: 200, check: hasTokens },
    'one session, labelled from the User-Agent',
  );
  step(
    'alice logs in on her laptop',
    await laptop.login(alice.username, alice.password),
    { status: 200, check: hasTokens },
    'a second session',
  );
  step(
    'the laptop lists her sessions',
    await laptop.sessions(),
    { status: 200, check: listed(['Firefox on Linux (current)', 'Safari on iOS']) },
    "newest first, the laptop's own marked current (the sessions spent by reuse detection are gone)",
  );
  const phoneSession = sessionsOf(await laptop.sessions()).find((s) => !s.current);
  step(
    'the phone is lost: the laptop ends its session',
    await laptop.endSession(phoneSession?.id ?? ''),
    { status: 204 },
    'DELETE /auth/sessions/:id',
  );
  step(
    "the phone's access token",
    await phone.get('/me'),
    { status: 401, code: 'TOKEN_REVOKED' },
    'refused at once, not in 15 minutes (checkRevocation reads the session in the same store read)',
  );
  step(
    "the phone's refresh cookie",
    await phone.refresh(),
    { status: 401, code: 'TOKEN_REVOKED' },
    'the session is over: the phone has to log in again',
  );
  step(
    'the laptop lists her sessions again',
    await laptop.sessions(),
    { status: 200, check: listed(['Firefox on Linux (current)']) },
    'only the laptop is left',
  );
}

function curlLines(url: string): string {
  const jar = '/tmp/tokenward-demo.cookies';
  const login = `curl -s -c ${jar} -H 'content-type: application/json' -d '{"username":"${alice.username}","password":"${alice.password}"}' ${url}/auth/login`;
  return [
    '',
    style.bold(`The server stays up on ${url} (Ctrl-C to stop). Try:`),
    '',
    '  # log in as alice: the access token is in the body, the refresh token goes to the cookie jar',
    `  TOKEN=$(${login} | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')`,
    `  curl -s -H "authorization: Bearer $TOKEN" ${url}/me`,
    `  curl -s -H "authorization: Bearer $TOKEN" ${url}/admin/dashboard`,
    '  # a new pair from the refresh cookie (rotation); run it twice with the old jar to see reuse detection',
    `  curl -s -b ${jar} -c ${jar} -X POST ${url}/auth/refresh`,
    `  curl -si -b ${jar} -c ${jar} -H "authorization: Bearer $TOKEN" -X POST ${url}/auth/logout`,
    `  # bob (password ${bob.password}) gets 403 on /admin/dashboard`,
  ].join('\n');
}

const app = await startExpressExample({ port: portFromEnv(0), clock: () => Date.now() + clockOffsetMs });
const narrator = new Narrator();
console.log(style.bold(`tokenward demo: the Express example on the in-memory store, ${app.url}`));
try {
  await narrate(app.url, narrator);
} catch (error) {
  if (narrator.failures === 0) {
    console.error(style.red(`\nThe demo broke off: ${error instanceof Error ? error.stack : String(error)}`));
    process.exitCode = 1;
  }
}
if (narrator.failures > 0) process.exitCode = 1;
console.log('');
console.log(
  process.exitCode === 1
    ? style.red('✗ Something did not behave as it should (see above).')
    : style.green('✓ Every step behaved as expected.'),
);

if (serve && process.exitCode !== 1) {
  console.log(curlLines(app.url));
  closeOnSignal(() => app.close());
} else {
  await app.close();
}
