/**
 * `tokenward/redis`: a {@link TokenStore} on Redis, for ioredis and node-redis clients.
 * @packageDocumentation
 */

import { createHash } from 'node:crypto';
import type {
  AccessTokenRef,
  NewRefreshFamily,
  RefreshFamilyRef,
  RefreshTokenRef,
  RefreshTokenState,
  RevokeAccessTokenInput,
  RevokeSubjectInput,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  TokenStore,
} from './token-store.js';

/** The part of an ioredis `Redis` or `Cluster` instance the store uses. */
export interface IoredisClientLike {
  /** `EVALSHA sha numkeys key... arg...` */
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** `EVAL script numkeys key... arg...` */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** The script options node-redis takes. */
export interface NodeRedisScriptOptions {
  /** The script's keys. */
  keys: string[];
  /** The script's arguments. */
  arguments: string[];
}

/** The part of a node-redis (v4 or v5) client or cluster the store uses. */
export interface NodeRedisClientLike {
  /** `EVALSHA` */
  evalSha(sha1: string, options: NodeRedisScriptOptions): Promise<unknown>;
  /** `EVAL` */
  eval(script: string, options: NodeRedisScriptOptions): Promise<unknown>;
}

/** A Redis client the store accepts: ioredis or node-redis, single node or cluster. */
export type RedisClientLike = IoredisClientLike | NodeRedisClientLike;

/** Options of a {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** Prepended to every key; it must not contain `{` or `}`. Default `tokenward:`. */
  prefix?: string;
}

/** The client and the options of a {@link RedisTokenStore} in one object: `new RedisTokenStore({ client })`. */
export interface RedisTokenStoreConfig extends RedisTokenStoreOptions {
  /** The ioredis or node-redis client (single node or cluster). */
  client: RedisClientLike;
}

// A client is recognised by its script commands, so a config object is whatever lacks them.
function isConfig(value: RedisClientLike | RedisTokenStoreConfig): value is RedisTokenStoreConfig {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<IoredisClientLike & NodeRedisClientLike>;
  return typeof candidate.evalsha !== 'function' && typeof candidate.evalSha !== 'function';
}

// Family hash fields: l = live token id, x = live token expiry (the record's
// expiry), p = previous token id, r = when it was rotated, a = absolute end
// ('' when unbounded), v = '1' once revoked. Subject hash: t = revokedAt, x = expiry.
// Times travel as decimal strings; ttl() turns "expires at" into a relative TTL
// so that a caller clock far from Redis's own (tests, skew) still expires keys.
const LUA_HELPERS = `
local function ttl(expiresAt, now) return math.ceil(tonumber(expiresAt) - now) end
local function subjectRevoked(key, issuedAt, now)
  local s = redis.call('HMGET', key, 't', 'x')
  return s[1] and tonumber(s[2]) > now and issuedAt < tonumber(s[1])
end
`;

// KEYS: family. ARGV: tokenId, expiresAt, absoluteExpiresAt, now.
const CREATE_FAMILY = `${LUA_HELPERS}
local now = tonumber(ARGV[4])
redis.call('DEL', KEYS[1])
local t = ttl(ARGV[2], now)
if t <= 0 then return 0 end
redis.call('HSET', KEYS[1], 'l', ARGV[1], 'x', ARGV[2], 'a', ARGV[3], 'r', ARGV[4])
redis.call('PEXPIRE', KEYS[1], t)
return 1
`;

// KEYS: family, subject. ARGV: tokenId, issuedAt, now, nextTokenId, nextExpiresAt, reuseGraceMs.
const ROTATE = `${LUA_HELPERS}
local now = tonumber(ARGV[3])
local f = redis.call('HMGET', KEYS[1], 'l', 'x', 'p', 'r', 'a', 'v')
local live, expiresAt, previous, rotatedAt, absolute, revoked = f[1], f[2], f[3], f[4], f[5], f[6]
if not live or tonumber(expiresAt) <= now or revoked then return {'revoked'} end
if subjectRevoked(KEYS[2], tonumber(ARGV[2]), now) then return {'revoked'} end
if absolute ~= '' and now >= tonumber(absolute) then return {'expired'} end
local isLive = ARGV[1] == live
local grace = tonumber(ARGV[6])
local isRetry = grace > 0 and previous and ARGV[1] == previous and now < tonumber(rotatedAt) + grace
if not isLive and not isRetry then
  redis.call('HSET', KEYS[1], 'v', '1')
  return {'reused'}
end
local nextExpiresAt = ARGV[5]
if absolute ~= '' and tonumber(absolute) < tonumber(nextExpiresAt) then nextExpiresAt = absolute end
if isLive then redis.call('HSET', KEYS[1], 'p', live, 'r', ARGV[3]) end
redis.call('HSET', KEYS[1], 'l', ARGV[4], 'x', nextExpiresAt)
local t = ttl(nextExpiresAt, now)
if t > 0 then redis.call('PEXPIRE', KEYS[1], t) else redis.call('DEL', KEYS[1]) end
return {'rotated', nextExpiresAt}
`;

// KEYS: family, subject. ARGV: tokenId, issuedAt, now.
const GET_STATE = `${LUA_HELPERS}
local now = tonumber(ARGV[3])
local f = redis.call('HMGET', KEYS[1], 'l', 'x', 'v')
if not f[1] or tonumber(f[2]) <= now then return 'unknown' end
if f[3] or subjectRevoked(KEYS[2], tonumber(ARGV[2]), now) then return 'revoked' end
if ARGV[1] == f[1] then return 'active' end
return 'consumed'
`;

// KEYS: family. ARGV: now.
const REVOKE_FAMILY = `
local x = redis.call('HGET', KEYS[1], 'x')
if not x then return 0 end
if tonumber(x) <= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) return 0 end
redis.call('HSET', KEYS[1], 'v', '1')
return 1
`;

// KEYS: denied access token. ARGV: expiresAt, now.
const REVOKE_ACCESS_TOKEN = `${LUA_HELPERS}
local now = tonumber(ARGV[2])
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) > now and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
local t = ttl(ARGV[1], now)
if t <= 0 then redis.call('DEL', KEYS[1]) return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', t)
return 1
`;

// KEYS: denied access token, subject. ARGV: issuedAt, now.
const IS_ACCESS_TOKEN_REVOKED = `${LUA_HELPERS}
local now = tonumber(ARGV[2])
local deniedUntil = redis.call('GET', KEYS[1])
if deniedUntil and tonumber(deniedUntil) > now then return 1 end
if subjectRevoked(KEYS[2], tonumber(ARGV[1]), now) then return 1 end
return 0
`;

// KEYS: subject. ARGV: revokedAt, expiresAt, now.
const REVOKE_SUBJECT = `${LUA_HELPERS}
local now = tonumber(ARGV[3])
local revokedAt, expiresAt = ARGV[1], ARGV[2]
local s = redis.call('HMGET', KEYS[1], 't', 'x')
if s[1] and tonumber(s[2]) > now then
  if tonumber(s[1]) > tonumber(revokedAt) then revokedAt = s[1] end
  if tonumber(s[2]) > tonumber(expiresAt) then expiresAt = s[2] end
end
local t = ttl(expiresAt, now)
if t <= 0 then redis.call('DEL', KEYS[1]) return 0 end
redis.call('HSET', KEYS[1], 't', revokedAt, 'x', expiresAt)
redis.call('PEXPIRE', KEYS[1], t)
return 1
`;

interface Script {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

const SCRIPTS = {
  createFamily: script(CREATE_FAMILY),
  rotate: script(ROTATE),
  getState: script(GET_STATE),
  revokeFamily: script(REVOKE_FAMILY),
  revokeAccessToken: script(REVOKE_ACCESS_TOKEN),
  isAccessTokenRevoked: script(IS_ACCESS_TOKEN_REVOKED),
  revokeSubject: script(REVOKE_SUBJECT),
} as const;

type ScriptRunner = (script: Script, keys: string[], args: string[]) => Promise<unknown>;

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function isNodeRedisClient(client: RedisClientLike): client is NodeRedisClientLike {
  return typeof (client as Partial<NodeRedisClientLike> | undefined)?.evalSha === 'function';
}

/** One EVALSHA per call; EVAL (which also caches the script) only when the server has not seen it. */
function scriptRunner(client: RedisClientLike): ScriptRunner {
  if (isNodeRedisClient(client)) {
    return async (s, keys, args) => {
      try {
        return await client.evalSha(s.sha1, { keys, arguments: args });
      } catch (error) {
        if (!isNoScriptError(error)) throw error;
        return client.eval(s.source, { keys, arguments: args });
      }
    };
  }
  if (typeof client?.evalsha !== 'function' || typeof client.eval !== 'function') {
    throw new TypeError('RedisTokenStore: expected an ioredis or node-redis client');
  }
  return async (s, keys, args) => {
    try {
      return await client.evalsha(s.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      return client.eval(s.source, keys.length, ...keys, ...args);
    }
  };
}

function time(value: number, name: string): string {
  if (!Number.isFinite(value)) throw new RangeError(`RedisTokenStore: ${name} must be a finite time`);
  return String(value);
}

function unexpectedReply(reply: unknown): Error {
  return new Error(`RedisTokenStore: unexpected reply from Redis: ${JSON.stringify(reply)}`);
}

/**
 * A {@link TokenStore} on Redis (or Redis Cluster), through the ioredis or
 * node-redis client you pass in (`new Redis()`, `new Cluster()`, `createClient()`,
 * `createCluster()`; connect a node-redis client before use).
 *
 * Every operation is one round trip: one Lua script that reads, decides and
 * writes atomically (`EVALSHA`, falling back to `EVAL` the first time a server
 * has not cached the script). Every key expires with the record it holds. All
 * keys of one subject share a Redis Cluster hash tag, so each script touches a
 * single slot.
 *
 * The store keeps token ids, family ids and times, never a token. Configure the
 * client to fail fast when Redis is unreachable (ioredis: `enableOfflineQueue:
 * false`, `commandTimeout`; node-redis: `disableOfflineQueue: true`): tokenward
 * then answers `STORE_UNAVAILABLE` instead of waiting.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisTokenStore } from 'tokenward/redis';
 *
 * const redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false });
 * const auth = createAuth({ keys, issuer, audience, store: new RedisTokenStore(redis) });
 * // or, the same: new RedisTokenStore({ client: redis, prefix: 'tokenward:' })
 * ```
 */
export class RedisTokenStore implements TokenStore {
  readonly #run: ScriptRunner;
  readonly #prefix: string;

  /** Creates a store on `client`, which stays yours to connect and close. */
  constructor(client: RedisClientLike, options?: RedisTokenStoreOptions);
  /** Creates a store on `config.client`, which stays yours to connect and close. */
  constructor(config: RedisTokenStoreConfig);
  constructor(clientOrConfig: RedisClientLike | RedisTokenStoreConfig, options: RedisTokenStoreOptions = {}) {
    const config = isConfig(clientOrConfig) ? clientOrConfig : { ...options, client: clientOrConfig };
    const { client } = config;
    const prefix = config.prefix ?? 'tokenward:';
    if (/[{}]/.test(prefix)) {
      throw new TypeError(
        'RedisTokenStore: the key prefix must not contain "{" or "}" (they set the cluster slot)',
      );
    }
    this.#prefix = prefix;
    this.#run = scriptRunner(client);
  }

  async createFamily(family: NewRefreshFamily): Promise<void> {
    const absolute =
      family.absoluteExpiresAt === Number.POSITIVE_INFINITY
        ? ''
        : time(family.absoluteExpiresAt, 'absoluteExpiresAt');
    await this.#run(
      SCRIPTS.createFamily,
      [this.#familyKey(family.subject, family.familyId)],
      [family.tokenId, time(family.expiresAt, 'expiresAt'), absolute, time(family.now, 'now')],
    );
  }

  async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    const reply = await this.#run(
      SCRIPTS.rotate,
      [this.#familyKey(input.subject, input.familyId), this.#subjectKey(input.subject)],
      [
        input.tokenId,
        time(input.issuedAt, 'issuedAt'),
        time(input.now, 'now'),
        input.nextTokenId,
        time(input.nextExpiresAt, 'nextExpiresAt'),
        time(input.reuseGraceMs, 'reuseGraceMs'),
      ],
    );
    if (!Array.isArray(reply)) throw unexpectedReply(reply);
    const [status, expiresAt] = reply as unknown[];
    if (status === 'rotated' && expiresAt !== undefined) return { status, expiresAt: Number(expiresAt) };
    if (status === 'reused' || status === 'revoked' || status === 'expired') return { status };
    throw unexpectedReply(reply);
  }

  async getRefreshTokenState(token: RefreshTokenRef): Promise<RefreshTokenState> {
    const reply = await this.#run(
      SCRIPTS.getState,
      [this.#familyKey(token.subject, token.familyId), this.#subjectKey(token.subject)],
      [token.tokenId, time(token.issuedAt, 'issuedAt'), time(token.now, 'now')],
    );
    if (reply === 'active' || reply === 'consumed' || reply === 'revoked' || reply === 'unknown')
      return reply;
    throw unexpectedReply(reply);
  }

  async revokeFamily(family: RefreshFamilyRef): Promise<void> {
    await this.#run(
      SCRIPTS.revokeFamily,
      [this.#familyKey(family.subject, family.familyId)],
      [time(family.now, 'now')],
    );
  }

  async revokeAccessToken(token: RevokeAccessTokenInput): Promise<void> {
    await this.#run(
      SCRIPTS.revokeAccessToken,
      [this.#accessTokenKey(token.subject, token.tokenId)],
      [time(token.expiresAt, 'expiresAt'), time(token.now, 'now')],
    );
  }

  async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    const reply = await this.#run(
      SCRIPTS.isAccessTokenRevoked,
      [this.#accessTokenKey(token.subject, token.tokenId), this.#subjectKey(token.subject)],
      [time(token.issuedAt, 'issuedAt'), time(token.now, 'now')],
    );
    if (reply === 1 || reply === 0) return reply === 1;
    throw unexpectedReply(reply);
  }

  async revokeSubject(input: RevokeSubjectInput): Promise<void> {
    await this.#run(
      SCRIPTS.revokeSubject,
      [this.#subjectKey(input.subject)],
      [time(input.revokedAt, 'revokedAt'), time(input.expiresAt, 'expiresAt'), time(input.now, 'now')],
    );
  }

  /**
   * The key prefix plus the subject's hash tag. Hashing the subject keeps any
   * `{`, `}` or `:` in it from changing the slot or colliding with another subject.
   */
  #subjectPrefix(subject: string): string {
    const tag = createHash('sha256').update(subject).digest('base64url').slice(0, 22);
    return `${this.#prefix}{${tag}}`;
  }

  #subjectKey(subject: string): string {
    return `${this.#subjectPrefix(subject)}:s`;
  }

  #familyKey(subject: string, familyId: string): string {
    return `${this.#subjectPrefix(subject)}:f:${familyId}`;
  }

  #accessTokenKey(subject: string, tokenId: string): string {
    return `${this.#subjectPrefix(subject)}:a:${tokenId}`;
  }
}
