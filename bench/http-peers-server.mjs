// One server of bench/http-peers.bench.mjs: `node bench/http-peers-server.mjs <framework> <mode>`.
//   fastify | express | koa, with mode
//     open       no authentication
//     tokenward  tokenward's adapter (tokenward/fastify, tokenward/express, tokenward/koa)
//     peer       the framework's usual JWT middleware: @fastify/jwt, express-jwt, koa-jwt
//   nest-express | nest-fastify (NestJS 12 on each platform), with the same modes: tokenward is
//     TokenwardGuard (tokenward/nestjs), peer is @nestjs/passport's AuthGuard('jwt') with a
//     passport-jwt strategy (and JwtModule registered), as Nest's docs set it up; both guard
//     the controller with @UseGuards.
//   hono (Hono 4 on @hono/node-server), with the same modes: tokenward is tokenward/hono's
//     authenticate, peer is hono's own `jwt` middleware (hono/jwt, HS256 with iss and aud).
//   tail, with mode tokenward | jose: Fastify with GET /data behind tokenward's adapter or
//     behind a jose jwtVerify hook (the path tokenward took before its fast path), and
//     POST /login checking a bcrypt password (tokenward/password) for the login load.
// Every protected route checks HS256, iss, aud and exp. Prints one JSON line { port, token }
// once listening on 127.0.0.1, then serves until killed; answers the IPC message 'cpu-usage'
// (when started with an IPC channel) with its process.cpuUsage(). Uses the built package (dist/).
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [framework, mode] = process.argv.slice(2);
const { createAuth } = await import('../dist/index.js');

const SECRET = 'a-benchmark-secret-of-at-least-32-bytes!!';
const secretKey = createSecretKey(Buffer.from(SECRET, 'utf8'));
const ISSUER = 'bench';
const AUDIENCE = 'bench';
const auth = createAuth({ keys: SECRET, issuer: ISSUER, audience: AUDIENCE });
const token = await auth.createAccessToken({ sub: 'u-bench', roles: ['user'] });
const body = { ok: true };

async function fastifyServer() {
  const Fastify = require('fastify');
  const app = Fastify();
  let onRequest = [];
  if (mode === 'tokenward') {
    const { tokenward } = await import('../dist/fastify.js');
    await app.register(tokenward, { auth });
    onRequest = [app.authenticate];
  } else if (mode === 'peer') {
    await app.register(require('@fastify/jwt'), {
      secret: Buffer.from(SECRET, 'utf8'),
      verify: { algorithms: ['HS256'], allowedIss: ISSUER, allowedAud: AUDIENCE },
    });
    onRequest = [(request) => request.jwtVerify()];
  }
  app.get('/data', { onRequest }, async () => body);
  await app.ready();
  return app.server;
}

async function expressServer() {
  const express = require('express');
  const app = express();
  const guard = [];
  if (mode === 'tokenward') {
    const { authenticate } = await import('../dist/express.js');
    guard.push(authenticate(auth));
  } else if (mode === 'peer') {
    const { expressjwt } = require('express-jwt');
    guard.push(expressjwt({ secret: secretKey, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
  }
  app.get('/data', ...guard, (_req, res) => res.json(body));
  return createServer(app);
}

async function koaServer() {
  const Koa = require('koa');
  const app = new Koa();
  if (mode === 'tokenward') {
    const { authenticate } = await import('../dist/koa.js');
    app.use(authenticate(auth));
  } else if (mode === 'peer') {
    const koaJwt = require('koa-jwt');
    app.use(koaJwt({ secret: secretKey, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
  }
  app.use((ctx) => {
    if (ctx.path === '/data') ctx.body = body;
  });
  return createServer(app.callback());
}

async function honoServer() {
  const { Hono } = await import('hono');
  const { getRequestListener } = await import('@hono/node-server');
  const app = new Hono();
  const guard = [];
  if (mode === 'tokenward') {
    const { authenticate } = await import('../dist/hono.js');
    guard.push(authenticate(auth));
  } else if (mode === 'peer') {
    const { jwt } = await import('hono/jwt');
    // typ: tokenward's access tokens are typed at+jwt (RFC 9068), which tokenward checks too.
    guard.push(
      jwt({ secret: SECRET, alg: 'HS256', verification: { iss: ISSUER, aud: AUDIENCE, typ: 'at+jwt' } }),
    );
  }
  app.get('/data', ...guard, (c) => c.json(body));
  return createServer(getRequestListener(app.fetch));
}

/** A Nest application serving GET /data, guarded per `mode`, on the platform's adapter. */
async function nestServer(platform) {
  require('reflect-metadata');
  const { Controller, Get, Injectable, Module, UseGuards } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const adapter =
    platform === 'express'
      ? new (require('@nestjs/platform-express').ExpressAdapter)()
      : new (require('@nestjs/platform-fastify').FastifyAdapter)();
  // The decorators applied as calls: this file is plain JavaScript.
  class DataController {
    data() {
      return body;
    }
  }
  Controller()(DataController);
  const method = Object.getOwnPropertyDescriptor(DataController.prototype, 'data');
  Get('data')(DataController.prototype, 'data', method);
  const imports = [];
  const providers = [];
  if (mode === 'tokenward') {
    const { TokenwardGuard, TokenwardModule } = await import('../dist/nestjs.js');
    imports.push(TokenwardModule.forRoot({ auth }));
    UseGuards(TokenwardGuard)(DataController);
  } else if (mode === 'peer') {
    const { AuthGuard, PassportModule, PassportStrategy } = require('@nestjs/passport');
    const { JwtModule } = require('@nestjs/jwt');
    const { ExtractJwt, Strategy } = require('passport-jwt');
    class JwtStrategy extends PassportStrategy(Strategy) {
      constructor() {
        super({
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          // A KeyObject, as express-jwt gets above: with a string, jsonwebtoken tries it as a public key (createPublicKey) first
          // on every verification, which costs it about 1 ms here.
          secretOrKey: secretKey,
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
        });
      }
      validate(payload) {
        return payload;
      }
    }
    Injectable()(JwtStrategy);
    imports.push(PassportModule, JwtModule.register({ secret: SECRET }));
    providers.push(JwtStrategy);
    UseGuards(AuthGuard('jwt'))(DataController);
  }
  class AppModule {}
  Module({ imports, controllers: [DataController], providers })(AppModule);
  const app = await NestFactory.create(AppModule, adapter, { logger: false });
  await app.init();
  if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app.getHttpServer();
}

async function tailServer() {
  const Fastify = require('fastify');
  const { hashPassword, verifyPassword } = await import('../dist/password.js');
  const passwordHash = await hashPassword('correct horse battery staple', { cost: 10 });
  const app = Fastify();
  let onRequest;
  if (mode === 'tokenward') {
    const { tokenward } = await import('../dist/fastify.js');
    await app.register(tokenward, { auth });
    onRequest = [app.authenticate];
  } else {
    const { jwtVerify } = await import('jose');
    const options = { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt' };
    onRequest = [
      async (request, reply) => {
        const header = request.headers.authorization ?? '';
        try {
          request.auth = (await jwtVerify(header.slice(7), secretKey, options)).payload;
        } catch {
          return reply.code(401).send({ error: 'unauthorized' });
        }
      },
    ];
  }
  app.get('/data', { onRequest }, async () => body);
  app.post('/login', async (request, reply) => {
    const ok = await verifyPassword(String(request.body?.password ?? ''), passwordHash);
    return ok ? { ok } : reply.code(401).send({ ok });
  });
  await app.ready();
  return app.server;
}

const servers = {
  fastify: fastifyServer,
  express: expressServer,
  koa: koaServer,
  hono: honoServer,
  'nest-express': () => nestServer('express'),
  'nest-fastify': () => nestServer('fastify'),
  tail: tailServer,
};
const modes = framework === 'tail' ? ['tokenward', 'jose'] : ['open', 'tokenward', 'peer'];
if (!servers[framework] || !modes.includes(mode)) {
  console.error(
    'usage: node bench/http-peers-server.mjs <fastify|express|koa|hono|nest-express|nest-fastify> <open|tokenward|peer>\n' +
      '       node bench/http-peers-server.mjs tail <tokenward|jose>',
  );
  process.exit(2);
}
const server = await servers[framework]();
// The paired throughput runs ask for the process's CPU time over IPC, outside the HTTP path.
process.on('message', (message) => {
  if (message === 'cpu-usage') process.send({ cpuUsage: process.cpuUsage() });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, token })}\n`);
});
