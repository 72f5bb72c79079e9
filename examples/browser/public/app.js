// The browser side of tokenward's cookie flow, in plain JavaScript.
//
// - The access token lives in this module's memory only: not in localStorage or
//   a readable cookie, where any injected script could take it.
// - The refresh token lives in an httpOnly cookie: this script never sees it;
//   only /auth/refresh and /auth/logout read it (behind HTTPS it is a __Host-
//   cookie, which no sibling subdomain can plant).
// - A reload loses the access token, so the page starts by asking
//   /auth/refresh for a new one: the session survives, the token does not.

/** @type {string | null} */
let accessToken = null;
/** @type {Promise<boolean> | null} */
let refreshing = null;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

function log(/** @type {string} */ text) {
  const item = document.createElement('li');
  item.textContent = text;
  $('log').append(item);
}

function show(/** @type {unknown} */ value) {
  $('output').textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function setState(/** @type {'signed-in' | 'signed-out'} */ state, /** @type {string} */ text) {
  $('status').dataset.state = state;
  $('status').textContent = text;
  $('login').hidden = state === 'signed-in';
  $('session').hidden = state !== 'signed-in';
  $('devices').hidden = state !== 'signed-in';
  if (state !== 'signed-in') $('sessions').replaceChildren();
}

/** The tokenward error code of a failed answer, if any. */
async function errorCode(/** @type {Response} */ response) {
  try {
    return (await response.clone().json()).error?.code;
  } catch {
    return undefined;
  }
}

/** Takes the access token of a login or refresh answer; the refresh cookie was set by the browser. */
async function keepTokens(/** @type {Response} */ response) {
  accessToken = (await response.json()).accessToken;
}

/**
 * Trades the refresh cookie for a new pair. Calls made while a refresh is in
 * flight wait for it: two refreshes with the same cookie would look like a
 * stolen token being replayed, and the server would revoke the session.
 */
function refresh() {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/auth/refresh', { method: 'POST' });
      if (!response.ok) {
        accessToken = null;
        log(`refresh refused: ${response.status} ${(await errorCode(response)) ?? ''}`);
        return false;
      }
      await keepTokens(response);
      log('refreshed: new access token, rotated refresh cookie');
      return true;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** A call with the access token (GET unless `method` says otherwise); on TOKEN_EXPIRED, refreshes once and retries. */
async function api(/** @type {string} */ path, method = 'GET') {
  const call = () =>
    fetch(path, { method, headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });
  let response = await call();
  if (response.status === 401 && (await errorCode(response)) === 'TOKEN_EXPIRED') {
    log(`${path}: access token expired, refreshing`);
    if (await refresh()) response = await call();
  }
  if (response.status === 401) setState('signed-out', 'Signed out: the session ended.');
  return response;
}

async function whoAmI() {
  const response = await api('/me');
  const body = await response.json();
  show(body);
  if (response.ok) setState('signed-in', `Signed in as ${body.username}`);
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(/** @type {HTMLFormElement} */ (event.target));
  const response = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
  });
  if (!response.ok) {
    show(await response.json());
    log(`login refused: ${response.status} ${(await errorCode(response)) ?? ''}`);
    return;
  }
  await keepTokens(response);
  log('logged in');
  await whoAmI();
});

$('me').addEventListener('click', () => whoAmI());

// The device page: this user's sessions (one per login), each but this one with a button that ends it.
// Labels come from the server (a short User-Agent); they are set as text, never as HTML.
async function listSessions() {
  const response = await api('/auth/sessions');
  if (!response.ok) return;
  /** @type {{ sessions: Array<{ id: string, label?: string, current: boolean, createdAt: number, lastUsedAt: number }> }} */
  const { sessions } = await response.json();
  const items = sessions.map((session) => {
    const item = document.createElement('li');
    item.dataset.sessionId = session.id;
    item.dataset.current = String(session.current);
    const name = document.createElement('span');
    name.className = 'label';
    name.textContent = `${session.label ?? 'Unknown device'}${session.current ? ' (this device)' : ''}`;
    const when = document.createElement('small');
    when.textContent = ` signed in ${new Date(session.createdAt).toLocaleString()}, last active ${new Date(session.lastUsedAt).toLocaleString()}`;
    item.append(name, when);
    if (!session.current) {
      const end = document.createElement('button');
      end.type = 'button';
      end.className = 'end-session';
      end.textContent = 'Sign out';
      end.addEventListener('click', async () => {
        const ended = await api(`/auth/sessions/${encodeURIComponent(session.id)}`, 'DELETE');
        log(`ended the session on ${session.label ?? 'a device'}: ${ended.status}`);
        await listSessions();
      });
      item.append(' ', end);
    }
    return item;
  });
  $('sessions').replaceChildren(...items);
  // A render count, so that a test (or a screen reader's live region) can tell a new list from the last one.
  $('sessions').dataset.renders = String(Number($('sessions').dataset.renders ?? '0') + 1);
  log(`sessions listed: ${items.length}`);
}

$('list-sessions').addEventListener('click', () => listSessions());

$('end-others').addEventListener('click', async () => {
  const response = await api('/auth/sessions', 'DELETE');
  log(`ended every other session: ${response.status}`);
  await listSessions();
});

$('dashboard').addEventListener('click', async () => {
  const response = await api('/admin/dashboard');
  show(await response.json());
});

$('logout').addEventListener('click', async () => {
  // The access token goes along so that the server revokes it too, not only the refresh cookie.
  await fetch('/auth/logout', {
    method: 'POST',
    headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  });
  accessToken = null;
  show('');
  log('logged out');
  setState('signed-out', 'Signed out.');
});

// A fresh page (or a reload) has no access token: the refresh cookie, if any, gets one.
if (await refresh()) await whoAmI();
else setState('signed-out', 'Signed out.');
