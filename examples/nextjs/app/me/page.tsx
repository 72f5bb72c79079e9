/**
 * A server component reading the claims: the access token comes from the httpOnly cookie the
 * token route set, and tokenward/web verifies it while the page renders.
 */

import { headers } from 'next/headers';
import { tokenward } from '../../lib/auth';

export const dynamic = 'force-dynamic';

export default async function MePage() {
  const { fromCookie, usernameOf } = tokenward();
  // The incoming request's headers, as a Request the Web adapter reads (Cookie among them).
  const request = new Request('http://localhost/me', { headers: await headers() });
  const result = await fromCookie(request);
  if (!result.ok) {
    return (
      <main>
        <p id="status">Signed out ({result.response.status})</p>
      </main>
    );
  }
  return (
    <main>
      <p id="status">Signed in as {usernameOf(result.claims.sub)}</p>
      <p id="roles">Roles: {(result.claims.roles ?? []).join(', ')}</p>
    </main>
  );
}
