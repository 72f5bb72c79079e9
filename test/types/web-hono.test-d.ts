/**
 * The types of `tokenward/web` and `tokenward/hono`: the result of `authenticate` is typed by the
 * instance it is given, and `c.get('auth')` by the registered `Auth` type (the registration is
 * the program's one, in adapters.test-d.ts), through Hono's `ContextVariableMap`.
 */

import { Hono } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import * as honoAdapter from '../../src/adapters/hono.js';
import * as webAdapter from '../../src/adapters/web.js';
import { createAuth } from '../../src/create-auth.js';
import type { RequestClaims } from '../../src/lib/http/types.js';
import type { AccessTokenClaims } from '../../src/types.js';

type NoteClaims = { org: string };
type NoteRole = 'editor' | 'reader';
const notes = createAuth<NoteClaims, NoteRole>({ keys: 'a-type-test-secret-of-at-least-32-bytes!!' });
const request = new Request('https://api.example/me');

describe('tokenward/web authenticate', () => {
  it('answers the instance claims, or a Response to return', async () => {
    const result = await webAdapter.authenticate(notes)(request);
    expectTypeOf(result).toEqualTypeOf<
      webAdapter.AuthenticateResult<AccessTokenClaims<NoteClaims, NoteRole>>
    >();
    if (result.ok) {
      expectTypeOf(result.claims.org).toEqualTypeOf<string>();
      expectTypeOf(result.claims.roles).toEqualTypeOf<NoteRole[] | undefined>();
      // @ts-expect-error a failure's response only exists when ok is false
      void result.response;
    } else {
      expectTypeOf(result.response).toEqualTypeOf<Response>();
    }
  });

  it('may answer no claims only in optional mode', async () => {
    const result = await webAdapter.authenticate(notes, { optional: true })(request);
    if (result.ok)
      expectTypeOf(result.claims).toEqualTypeOf<AccessTokenClaims<NoteClaims, NoteRole> | undefined>();
  });

  it('takes the instance role names only', () => {
    webAdapter.authenticate(notes, { roles: ['editor', { message: 'Editors only' }] });
    // @ts-expect-error not a role of the instance
    webAdapter.authenticate(notes, { roles: ['admin'] });
  });

  it('serves the token routes as a Request handler', () => {
    const routes = webAdapter.tokenRoutes(notes, { findUser: () => null, prefix: '/auth' });
    expectTypeOf(routes).toEqualTypeOf<(request: Request) => Promise<Response | undefined>>();
  });
});

describe('tokenward/hono', () => {
  it("types c.get('auth') with the registered claims", () => {
    const app = new Hono();
    app.get('/me', honoAdapter.authenticate(notes), honoAdapter.requireRole('admin'), (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<RequestClaims | undefined>();
      expectTypeOf(c.get('auth')?.tenant).toEqualTypeOf<string | undefined>();
      return c.json({ sub: c.get('auth')?.sub });
    });
    app.route('/auth', honoAdapter.tokenRoutes(notes, { findUser: () => null }));
  });

  it('checks role names against the registered ones', () => {
    // @ts-expect-error not a registered role
    honoAdapter.requireRole('superuser');
  });
});
