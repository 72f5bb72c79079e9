/**
 * The resource server: a second service that holds no key and no secret. It
 * verifies the issuer's access tokens with the public keys of the issuer's
 * JWKS, fetched over HTTP and cached for its `Cache-Control` lifetime (10 minutes at most).
 */

import { createServer } from 'node:http';
import express from 'express';
import { type AuthOptions, createAuth } from 'tokenward';
import { authenticate, requireRole } from 'tokenward/express';
import { EXAMPLE_AUDIENCE, EXAMPLE_ISSUER } from '../shared/app-config.js';
import { listen, type RunningExample } from '../shared/server.js';

/** Options of the resource server. */
export interface ResourceServerOptions {
  /** The issuer's JWKS, e.g. `http://127.0.0.1:3000/.well-known/jwks.json` (http only on loopback). */
  jwksUrl: string;
  /** How the JWKS is fetched and cached. Default: kept for its `Cache-Control` max-age (30 s to 10 minutes), refetched for an unknown `kid` at most every 30 s. */
  jwksOptions?: AuthOptions['jwksOptions'];
  /** 0: any free port. */
  port?: number;
}

/** Starts the resource server on 127.0.0.1. */
export async function startResourceServer(options: ResourceServerOptions): Promise<RunningExample> {
  // Verify-only: no keys, so it cannot issue tokens. The issuer and audience
  // are checked as strictly as by the issuer itself. It has no shared store,
  // so it trusts an access token until it expires: keep access tokens short.
  const auth = createAuth({
    jwks: options.jwksUrl,
    issuer: EXAMPLE_ISSUER,
    audience: EXAMPLE_AUDIENCE,
    algorithms: ['EdDSA'],
    ...(options.jwksOptions === undefined ? {} : { jwksOptions: options.jwksOptions }),
  });
  const app = express();
  app.get('/reports', authenticate(auth), (req, res) => {
    res.json({ reports: ['q1', 'q2'], for: req.auth?.sub });
  });
  app.get('/reports/audit', authenticate(auth), requireRole('admin'), (req, res) => {
    res.json({ audit: 'clean', for: req.auth?.sub });
  });
  return listen(createServer(app), options.port ?? 0);
}
