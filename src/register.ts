/**
 * Where an application registers its `Auth` type, for the types the adapters derive from it.
 * @packageDocumentation
 */

/**
 * The application's registration: the type of its `Auth` instance, declared once, from which
 * every adapter types the claims on the request (`req.auth`, `request.auth`, `ctx.state.auth`)
 * and the role names `requireRole` takes.
 *
 * @example
 * ```ts
 * export const auth = createAuth<{ tenant: string }, 'admin' | 'user'>({ ... });
 *
 * declare module 'tokenward' {
 *   interface Register {
 *     auth: typeof auth;
 *   }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: an interface the application augments, empty until it does.
export interface Register {}
