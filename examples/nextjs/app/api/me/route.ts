/** A protected route handler: the caller's claims, for a bearer access token. */

import { tokenward } from '../../../lib/auth';

export async function GET(request: Request): Promise<Response> {
  const { bearer, usernameOf } = tokenward();
  const result = await bearer(request);
  if (!result.ok) return result.response;
  const { sub, roles = [] } = result.claims;
  return Response.json({ sub, username: usernameOf(sub), roles });
}
