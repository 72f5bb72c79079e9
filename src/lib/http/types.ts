/**
 * The framework-free shapes the adapters translate to and from.
 * @packageDocumentation
 */

import type { IncomingHttpHeaders } from 'node:http';
import type { AccessTokenClaims } from '../../types.js';

declare global {
  /** Types an application augments to type the claims the adapters put on requests. */
  namespace Tokenward {
    /**
     * The application's custom access-token claims. Augment it to type
     * `req.auth` (Express), `request.auth` (Fastify) and `ctx.state.auth` (Koa):
     * `declare global { namespace Tokenward { interface Claims { tenant: string } } }`.
     */
    interface Claims {}
    /**
     * The application's role names, as keys:
     * `declare global { namespace Tokenward { interface Roles { admin: true; user: true } } }`.
     * Left empty, any string is a role.
     */
    interface Roles {}
  }
}

/** The role names of the application (`Tokenward.Roles`), or `string` when it declares none. */
export type RegisteredRole = [keyof Tokenward.Roles] extends [never]
  ? string
  : Extract<keyof Tokenward.Roles, string>;

/** The verified claims an adapter puts on an authenticated request. */
export type RequestClaims = AccessTokenClaims<Tokenward.Claims, RegisteredRole>;

/** The parts of a Node request the shared HTTP logic reads. */
export interface HttpRequestView {
  /** The request method, e.g. `POST`. */
  readonly method?: string | undefined;
  /** Node's parsed headers (duplicates of some headers already dropped by Node). */
  readonly headers: IncomingHttpHeaders;
  /** Node's raw header list, `[name, value, name, value, ...]`, which keeps duplicates. */
  readonly rawHeaders: readonly string[];
}

/** A complete answer an adapter writes as is: status, headers, and an already serialised body. */
export interface HttpAnswer {
  /** The HTTP status. */
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string | string[]>;
  /** The body, already serialised (JSON), or `undefined` for none. */
  body: string | undefined;
}
