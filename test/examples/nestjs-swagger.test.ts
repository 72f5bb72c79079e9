/**
 * The NestJS example's Swagger UI: "Authorize" logs in. The requests are the ones Swagger UI's
 * password flow sends (its bundle's `authorizePassword` and `authorizeRequest`, default client
 * credentials location "basic" with no client id), to the `tokenUrl` the served document names,
 * then "Try it out" on a guarded route with the token it got.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNestExample } from '../../examples/nestjs/app.js';
import { EXAMPLE_USERS } from '../../examples/shared/users.js';

let example: Awaited<ReturnType<typeof startNestExample>>;
beforeAll(async () => {
  example = await startNestExample();
});
afterAll(() => example?.close());

interface OpenApi {
  components: {
    securitySchemes: Record<string, { type: string; flows?: { password?: { tokenUrl: string } } }>;
  };
  paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
}

/** What Swagger UI posts for the password flow: form fields without the empty scope, Basic with an empty client. */
function authorize(url: string, tokenUrl: string, username: string, password: string) {
  return fetch(new URL(tokenUrl, url), {
    method: 'POST',
    headers: {
      accept: 'application/json, text/plain, */*',
      'content-type': 'application/x-www-form-urlencoded',
      'x-requested-with': 'XMLHttpRequest',
      authorization: `Basic ${btoa(':')}`,
      // The browser's own, for a same-origin fetch from the UI's page.
      origin: url,
      'sec-fetch-site': 'same-origin',
    },
    body: `grant_type=password&username=${encodeURIComponent(username)}&password=${encodeURIComponent(password)}`,
  });
}

describe("the NestJS example's Swagger UI", () => {
  it('"Authorize" logs in at the tokenUrl of the served document, and "Try it out" uses the token', async () => {
    const document = (await (await fetch(`${example.url}/docs-json`)).json()) as OpenApi;
    const scheme = Object.entries(document.components.securitySchemes).find(
      ([, value]) => value.type === 'oauth2',
    );
    const tokenUrl = scheme?.[1].flows?.password?.tokenUrl;
    expect(tokenUrl).toBe('/auth/token');
    expect(document.paths['/admin/dashboard']?.get?.security).toContainEqual({ [scheme![0]]: [] });
    const ui = await fetch(`${example.url}/docs/`);
    expect(await ui.text()).toMatch(/swagger-ui/i);

    const [alice, bob] = EXAMPLE_USERS;
    const login = await authorize(example.url, tokenUrl!, alice.username, alice.password);
    expect(login.status).toBe(200);
    const granted = (await login.json()) as { access_token: string; token_type: string };
    expect(granted.token_type).toBe('Bearer');
    const dashboard = await fetch(`${example.url}/admin/dashboard`, {
      headers: { authorization: `Bearer ${granted.access_token}` },
    });
    expect(dashboard.status).toBe(200);

    const bobs = (await (await authorize(example.url, tokenUrl!, bob.username, bob.password)).json()) as {
      access_token: string;
    };
    const refused = await fetch(`${example.url}/admin/dashboard`, {
      headers: { authorization: `Bearer ${bobs.access_token}` },
    });
    expect(refused.status).toBe(403);

    const wrong = await authorize(example.url, tokenUrl!, alice.username, 'not her password');
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
