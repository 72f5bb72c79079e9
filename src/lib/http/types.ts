/**
 * The framework-free shapes the adapters translate to and from.
 * @packageDocumentation
 */

import type { Auth } from '../../create-auth.js';
import type { Register } from '../../register.js';
import type { AccessTokenClaims } from '../../types.js';

declare global {
  /**
   * Types an application augmented to type the claims the adapters put on requests.
   * @deprecated Register the `Auth` type instead, once for every adapter:
   * `declare module 'tokenward' { interface Register { auth: typeof auth } }`.
   * These interfaces are still read while nothing is registered.
   */
  namespace Tokenward {
    /**
     * The application's custom access-token claims.
     * @deprecated Register the `Auth` type instead (`Register` in `tokenward`).
     */
    interface Claims {}
    /**
     * The application's role names, as keys. Left empty, any string is a role.
     * @deprecated Register the `Auth` type instead (`Register` in `tokenward`).
     */
    interface Roles {}
  }
}

/** The role names of the deprecated `Tokenward.Roles`, or `string` when it declares none. */
type LegacyRole = [keyof Tokenward.Roles] extends [never] ? string : Extract<keyof Tokenward.Roles, string>;

/**
 * The custom claims and role names a registration gives: those of its `auth` type, else those
 * of the deprecated `Tokenward` namespace. Generic over the registration so that both channels can be tested.
 */
export type RegisteredTypes<Registration> = Registration extends {
  auth: Auth<infer Claims extends object, infer Role extends string>;
}
  ? { claims: Claims; role: Role }
  : { claims: Tokenward.Claims; role: LegacyRole };

/** The custom claims of the registered `Auth` type (see `Register`). */
export type RegisteredCustomClaims = RegisteredTypes<Register>['claims'];

/** The role names of the registered `Auth` type (see `Register`), or `string` when nothing is registered. */
export type RegisteredRole = RegisteredTypes<Register>['role'];

/** The verified claims an adapter puts on an authenticated request, typed by the registered `Auth` type. */
export type RequestClaims = AccessTokenClaims<RegisteredCustomClaims, RegisteredRole>;

/**
 * The parts of a request the shared HTTP logic reads, filled alike from a Node request
 * (`nodeRequestView`) and from a Fetch API `Request` (`fetchRequestView`).
 */
export interface HttpRequestView {
  /** The request method, e.g. `POST`. */
  readonly method: string | undefined;
  /**
   * The value of a header (lower-case name), or `undefined` when the request has none.
   * Several fields of one name come joined as the transport joins them (`, `; `; ` for `Cookie`),
   * except where Node keeps only the first (`Authorization`, `Host`, `Content-Type`, ...).
   */
  header(name: string): string | undefined;
  /**
   * How many fields of that (lower-case) name the request carried, or `undefined` when the
   * transport joined them into one value before anyone could count (the Fetch API does).
   */
  fieldCount(name: string): number | undefined;
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
