// One benchmark server, spawned by bench/http.bench.mjs: `node bench/http-server.mjs <framework> <mode>`.
// framework: express4 | express5 | fastify5 | koa2 | koa3
// mode: open (no authentication) | adapter (tokenward's authenticate) | handwritten (a middleware calling verifyToken)
// Prints one JSON line { port, token } once listening on 127.0.0.1, then serves until killed.
// Uses the built package (dist/), as users get it.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { verifyBearerByHand } from './harness.mjs';

const require = createRequire(import.meta.url);
const [framework, mode] = process.argv.slice(2);
const { createAuth } = await import('../dist/index.js');

const auth = createAuth({
  keys: 'a-benchmark-secret-of-at-least-32-bytes!!',
  issuer: 'bench',
  audience: 'bench',
});
const token = await auth.createAccessToken({ sub: 'u-bench', roles: ['user'] });
const payload = { ok: true };

async function expressServer(createApp) {
  const { authenticate } = await import('../dist/express.js');
  const app = createApp();
  const guard =
    mode === 'adapter'
      ? [authenticate(auth)]
      : mode === 'handwritten'
        ? [
            (req, res, next) => {
              verifyBearerByHand(auth, req.headers.authorization).then((claims) => {
                if (claims === undefined) res.status(401).json({ error: 'unauthorized' });
                else {
                  req.auth = claims;
                  next();
                }
              }, next);
            },
          ]
        : [];
  app.get('/data', ...guard, (_req, res) => res.json(payload));
  return createServer(app);
}

async function fastifyServer() {
  const Fastify = require('fastify');
  const { tokenward } = await import('../dist/fastify.js');
  const app = Fastify();
  await app.register(tokenward, { auth });
  const onRequest =
    mode === 'adapter'
      ? [app.authenticate]
      : mode === 'handwritten'
        ? [
            async (request, reply) => {
              const claims = await verifyBearerByHand(auth, request.headers.authorization);
              if (claims === undefined) return reply.code(401).send({ error: 'unauthorized' });
              request.auth = claims;
            },
          ]
        : [];
  app.get('/data', { onRequest }, async () => payload);
  await app.ready();
  return app.server;
}

async function koaServer(Koa) {
  const { authenticate } = await import('../dist/koa.js');
  const app = new Koa();
  if (mode === 'adapter') app.use(authenticate(auth));
  if (mode === 'handwritten') {
    app.use(async (ctx, next) => {
      const claims = await verifyBearerByHand(auth, ctx.get('authorization'));
      if (claims === undefined) {
        ctx.status = 401;
        ctx.body = { error: 'unauthorized' };
        return;
      }
      ctx.state.auth = claims;
      await next();
    });
  }
  app.use((ctx) => {
    if (ctx.path === '/data') ctx.body = payload;
  });
  return createServer(app.callback());
}

const servers = {
  express4: () => expressServer(require('express4')),
  express5: () => expressServer(require('express')),
  fastify5: () => fastifyServer(),
  koa2: () => koaServer(require('koa2')),
  koa3: () => koaServer(require('koa')),
};
if (!servers[framework] || !['open', 'adapter', 'handwritten'].includes(mode)) {
  console.error(
    'usage: node bench/http-server.mjs <express4|express5|fastify5|koa2|koa3> <open|adapter|handwritten>',
  );
  process.exit(2);
}
const server = await servers[framework]();
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, token })}\n`);
});
