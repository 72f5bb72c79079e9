/**
 * Smoke test of the multi-issuer resource-server example, started with the very command its
 * README line gives (tsx with examples/tsconfig.json, as a child process, every port 0): tokens
 * of both issuers are accepted, each by its own rules, and neither issuer's token passes for
 * the other's.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { errorCode, field, Session } from '../../examples/shared/client.js';
import { EXAMPLE_USERS } from '../../examples/shared/users.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const STARTUP_TIMEOUT_MS = 30_000;
const [alice, bob] = EXAMPLE_USERS;

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

/** Starts the example and resolves with the three URLs it prints. */
function start(): Promise<{
  issuer: string;
  idp: string;
  resources: string;
  stop: () => Promise<number | null>;
}> {
  const running = spawn(
    process.execPath,
    [TSX_CLI, '--tsconfig', 'examples/tsconfig.json', 'examples/resource-server/multi-issuer.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', ISSUER_PORT: '0', IDP_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = running;
  const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the example did not start in time:\n${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const issuer = /issuer listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const idp = /\(issuer: (http:\/\/127\.0\.0\.1:\d+\/realms\/acme)\)/.exec(output)?.[1];
      const resources = /resource server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (issuer && idp && resources) {
        clearTimeout(timer);
        resolve({
          issuer,
          idp,
          resources,
          stop: () => {
            running.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    running.stdout?.on('data', collect);
    running.stderr?.on('data', collect);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited (${code}) before it started:\n${output}`));
    });
  });
}

/** An access token from the stand-in provider's token endpoint. */
async function idpToken(idp: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${idp}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('the multi-issuer resource-server example', { timeout: 90_000 }, () => {
  it('accepts both issuers’ tokens, each by its own rules', async () => {
    const { issuer, idp, resources, stop } = await start();
    const api = new Session(resources);

    // The tokenward issuer: at+jwt, roles in `roles`; its JWKS carries caching headers.
    const own = new Session(issuer);
    expect((await own.login(alice.username, alice.password)).status).toBe(200);
    const jwks = await fetch(`${issuer}/.well-known/jwks.json`);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    const reports = await api.get('/reports', own.accessToken);
    expect(reports.status).toBe(200);
    expect(field(reports, 'issuer')).toBe('urn:tokenward:examples');
    expect((await api.get('/reports/audit', own.accessToken)).status).toBe(200);
    const noScope = await api.get('/reports/export', own.accessToken);
    expect([noScope.status, errorCode(noScope)]).toEqual([403, 'FORBIDDEN']);
    expect(noScope.challenge).toContain('scope="reports:export"');

    // The external provider, found by discovery: typ JWT, realm roles, scope.
    const aliceAtIdp = await idpToken(idp, alice.username, alice.password);
    const bobAtIdp = await idpToken(idp, bob.username, bob.password);
    const fromIdp = await api.get('/reports', aliceAtIdp);
    expect(fromIdp.status).toBe(200);
    expect(field(fromIdp, 'issuer')).toBe(idp);
    expect((await api.get('/reports/audit', aliceAtIdp)).status).toBe(200);
    expect((await api.get('/reports/export', aliceAtIdp)).status).toBe(200);
    const bobAudit = await api.get('/reports/audit', bobAtIdp);
    expect([bobAudit.status, errorCode(bobAudit)]).toEqual([403, 'FORBIDDEN']);

    // A token claiming the other issuer, and one with a forged signature.
    const [header, payload, signature] = aliceAtIdp.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const swapped = Buffer.from(JSON.stringify({ ...claims, iss: 'urn:tokenward:examples' })).toString(
      'base64url',
    );
    const impostor = await api.get('/reports', `${header}.${swapped}.${signature}`);
    expect([impostor.status, errorCode(impostor)]).toEqual([401, 'TOKEN_INVALID']);
    const forged = await api.get('/reports', `${aliceAtIdp.slice(0, -4)}AAAA`);
    expect([forged.status, errorCode(forged)]).toEqual([401, 'TOKEN_INVALID']);
    expect(await stop()).toBe(0);
  });
});
