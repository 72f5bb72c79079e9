/** The home page: where the example's routes are. */

export default function Home() {
  return (
    <main>
      <h1>tokenward on Next.js</h1>
      <p>
        POST /auth/login with {'{"username":"alice","password":"wonderland"}'}, then GET /api/me or open /me.
      </p>
    </main>
  );
}
