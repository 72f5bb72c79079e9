/**
 * The issuer: the Express example signing with EdDSA keys and publishing
 * their public halves at `/.well-known/jwks.json`, so that other services
 * verify its tokens without holding any secret.
 */

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import express, { type Express } from 'express';
import { type Auth, type KeyEntry, MemoryTokenStore } from 'tokenward';
import { jwksRoute } from 'tokenward/express';
import { createExpressApp } from '../express/app.js';
import { createExampleAuth, createExampleContext, type ExampleRole } from '../shared/app-config.js';
import { listen, type RunningExample } from '../shared/server.js';

/** An Ed25519 signing key with its id. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A fresh Ed25519 key pair (in production: `npx tokenward keygen --type eddsa`, kept in a secret store). */
export function generateSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid, privateKey, publicKey };
}

/**
 * The keys of each phase of a rotation, for `createAuth`'s `keys`. The first
 * private key signs; every key listed is published in the JWKS and verifies.
 */
export const rotationPhase = {
  /** Only the current key. */
  single: (current: SigningKey): KeyEntry[] => [{ key: current.privateKey, kid: current.kid }],
  /**
   * Publish the next key before signing with it, so that every verifier has it
   * cached by the time the first token signed with it arrives.
   */
  publish: (current: SigningKey, next: SigningKey): KeyEntry[] => [
    { key: current.privateKey, kid: current.kid },
    { key: next.publicKey, kid: next.kid },
  ],
  /**
   * Sign with the next key; keep the previous one published (its public half
   * is enough) until every token it signed has expired.
   */
  switch: (previous: SigningKey, next: SigningKey): KeyEntry[] => [
    { key: next.privateKey, kid: next.kid },
    { key: previous.publicKey, kid: previous.kid },
  ],
};

/** A running issuer whose keys can be changed without a restart. */
export interface RunningIssuer extends RunningExample {
  /** The URL of its JWKS. */
  readonly jwksUrl: string;
  /** Replaces the signing and published keys; sessions survive, the store is kept. */
  replaceKeys(keys: KeyEntry[]): void;
}

/** Starts the issuer on 127.0.0.1 and `port` (0: any free port) with `keys`. */
export async function startIssuer(options: {
  keys: KeyEntry[];
  port?: number;
  /** How long verifiers may cache the JWKS (its `Cache-Control: max-age`). Default `'5m'`. */
  jwksMaxAge?: string;
}): Promise<RunningIssuer> {
  // One store for every key set: refresh-token families outlive a key change.
  const store = new MemoryTokenStore();
  const base = await createExampleContext({ keys: options.keys, store });
  const maxAge = options.jwksMaxAge ?? '5m';
  let auth: Auth<object, ExampleRole> = base.auth;
  let routes: Express = createExpressApp(base);
  // GET /.well-known/jwks.json with `Cache-Control: public, max-age=...`: verifiers keep the
  // keys that long, so a new key is published at least that long before it signs.
  let jwks = jwksRoute(auth, { maxAge });

  const app = express();
  app.use((req, res, next) => jwks(req, res, next));
  // The example's routes, rebuilt around the new instance at each key change.
  app.use((req, res, next) => routes(req, res, next));

  const running = await listen(createServer(app), options.port ?? 0);
  return {
    ...running,
    jwksUrl: `${running.url}/.well-known/jwks.json`,
    replaceKeys(keys) {
      auth = createExampleAuth({ keys, store });
      routes = createExpressApp({ ...base, auth });
      jwks = jwksRoute(auth, { maxAge });
    },
  };
}
