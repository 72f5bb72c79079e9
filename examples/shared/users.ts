/**
 * The example app's two users. Plain data with no import, so that clients
 * and tests can read it without loading tokenward.
 */

/** The roles the example app knows. */
export type ExampleRole = 'admin' | 'user';

/** The example's users and their passwords (printed by the demo; never do this with real users). */
export const EXAMPLE_USERS = [
  { username: 'alice', password: 'wonderland', sub: 'user-1', roles: ['admin'] },
  { username: 'bob', password: 'builder', sub: 'user-2', roles: ['user'] },
] as const satisfies readonly {
  username: string;
  password: string;
  sub: string;
  roles: readonly ExampleRole[];
}[];
