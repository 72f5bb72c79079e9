/**
 * `tokenward/redis`: a {@link TokenStore} on Redis, for ioredis and node-redis clients.
 * @packageDocumentation
 */

import { createHash } from 'node:crypto';
import { AuthError } from '../errors.js';
import type {
  AccessTokenRef,
  ListSessionsInput,
  NewRefreshFamily,
  RefreshFamilyRef,
  RefreshTokenRef,
  RefreshTokenState,
  RevokeAccessTokenInput,
  RevokeSubjectInput,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
  SessionRecord,
  TokenStore,
} from './token-store.js';

/**
 * The part of an ioredis `Redis` or `Cluster` instance the store needs. When
 * present, it also reads `status` (to send only while `ready`) and uses
 * `connect`, `call` and `nodes` in {@link RedisTokenStore.ready}.
 */
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

/**
 * The part of a node-redis (v4 or v5) client or cluster the store needs. When
 * present, it also reads `isReady` and `isOpen` (to send only while connected)
 * and uses `connect`, `sendCommand`, `masters` and `nodeClient` in {@link RedisTokenStore.ready}.
 */
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

/** Options of {@link RedisTokenStore.ready}. */
export interface RedisReadyOptions {
  /** How long to wait for the client to be connected, in milliseconds. Default 10 000. */
  timeoutMs?: number;
}

/**
 * What Redis's memory policy may evict, worst node first:
 * - `nothing`: `maxmemory-policy noeviction`, or no `maxmemory` limit. Recommended.
 * - `sessions`: a `volatile-*` policy. Refresh-token families (keys with a TTL)
 *   may be evicted, which logs their users out; revocations have no TTL and stay.
 * - `revocations`: an `allkeys-*` policy. Any key may go, revocations included:
 *   a revoked token could be accepted again.
 * - `unknown`: the policy could not be read (`CONFIG` and `INFO` refused, as some
 *   managed Redis offerings do) or is not one tokenward knows.
 */
export type RedisEvictionRisk = 'nothing' | 'sessions' | 'revocations' | 'unknown';

/** The result of the eviction-policy check {@link RedisTokenStore.ready} runs. */
export interface RedisEvictionCheck {
  /** What may be evicted (the worst node's answer on a cluster). */
  evicts: RedisEvictionRisk;
  /** That node's `maxmemory-policy`, or `undefined` when it could not be read. */
  policy: string | undefined;
  /** The warning emitted (`process.emitWarning`, type `TokenwardWarning`), or `undefined` when all is well. */
  warning: string | undefined;
}

/** What {@link RedisTokenStore.ready} found once the client was connected. */
export interface RedisStoreReadiness {
  /** The eviction-policy check. */
  eviction: RedisEvictionCheck;
}

const CONFIG_KEYS: ReadonlySet<string> = new Set(['client', 'prefix']);
const DEFAULT_READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 20;

/**
 * The most fields one subject's hash holds. Past it, the subject's access-token
 * denials are folded into one "issued before" entry, so that one account cannot
 * grow a record that every check of that subject reads.
 */
const MAX_SUBJECT_FIELDS = 128;

function invalidConfig(message: string): AuthError {
  return new AuthError('CONFIG_INVALID', `RedisTokenStore: ${message}`);
}

// A client is recognised by its script commands, so a config object is whatever lacks them.
function isConfig(value: RedisClientLike | RedisTokenStoreConfig): value is RedisTokenStoreConfig {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<IoredisClientLike & NodeRedisClientLike>;
  return typeof candidate.evalsha !== 'function' && typeof candidate.evalSha !== 'function';
}

// Family hash fields: l = live token id, x = live token expiry (the record's
// expiry), p = previous token id, r = when it was rotated, a = absolute end
// ('' when unbounded), v = '1' once revoked, c = when it was created, u = when
// its live token was issued (last refresh), b = the session label (if any). A family key has a TTL: when Redis
// evicts it, the family reads as unknown, which refuses its tokens (fail closed).
//
// Subject hash, the only home of revocations that must outlive memory pressure:
// it has NO TTL, so that no volatile-* eviction policy can drop it (a key
// without an expiry is never a candidate there). Its entries expire by the
// caller's clock, in the value, and the scripts remove them:
//   t, x   tokens of the subject issued before t are revoked, until x (revokeSubject);
//   d:<id> that access token is denied until the value (revokeAccessToken);
//   u, y   access tokens issued before u are revoked, until y: the denials of a
//          subject that reached MAX_SUBJECT_FIELDS, folded into one entry;
//   n      the earliest expiry among the entries: when the next clean-up is due.
// Every script that touches the hash first drops what has expired once n has
// passed, and deletes the hash when nothing in it is live; so a hash holds at
// most MAX_SUBJECT_FIELDS fields, and only a subject that never comes back
// leaves an expired one behind (one small hash per such subject).
//
// Session index, one sorted set per subject under the subject's hash tag: the
// ids of its live families, each scored with its family's expiry. Every script
// that adds to it first drops the entries whose score has passed, and gives the
// key a TTL of its latest score; a revoked or reused family leaves it at once.
// Listing reads the index and each family hash in one script: the family keys
// are built in the script from the index, and share its hash tag, so the
// script stays in one Cluster slot.
//
// Times travel as decimal strings and are stored as given; ttl() turns "expires
// at" into a relative TTL so that a caller clock far from Redis's own (tests,
// skew) still expires the family keys.
const LUA_HELPERS = `
local MAX_SUBJECT_FIELDS = ${MAX_SUBJECT_FIELDS}
local function ttl(expiresAt, now) return math.ceil(tonumber(expiresAt) - now) end

-- Drops the expired entries of a subject hash, deletes it when nothing is live,
-- else records when the next entry expires and makes sure it has no TTL.
local function cleanSubject(key, now)
  local all = redis.call('HGETALL', key)
  if #all == 0 then return end
  local drop, earliest, earliestText = {}, nil, nil
  for i = 1, #all, 2 do
    local field, value = all[i], all[i + 1]
    local companion = nil
    if field == 'x' then companion = 't' elseif field == 'y' then companion = 'u' end
    if companion or string.sub(field, 1, 2) == 'd:' then
      local untilTime = tonumber(value)
      if untilTime <= now then
        drop[#drop + 1] = field
        if companion then drop[#drop + 1] = companion end
      elseif not earliest or untilTime < earliest then
        earliest, earliestText = untilTime, value
      end
    end
  end
  if not earliest then redis.call('DEL', key) return end
  if #drop > 0 then redis.call('HDEL', key, unpack(drop)) end
  redis.call('HSET', key, 'n', earliestText)
  redis.call('PERSIST', key)
end

local function cleanSubjectIfDue(key, now)
  local n = redis.call('HGET', key, 'n')
  if n and tonumber(n) > now then return end
  cleanSubject(key, now)
end

-- Records that an entry of the subject hash expires at untilText.
local function noteExpiry(key, untilText)
  local n = redis.call('HGET', key, 'n')
  if not n or tonumber(untilText) < tonumber(n) then redis.call('HSET', key, 'n', untilText) end
  redis.call('PERSIST', key)
end

-- Strictly before: a token issued in the revocation's own millisecond stays valid.
local function revokedBefore(revokedAt, untilTime, issuedAt, now)
  return revokedAt and tonumber(untilTime) > now and issuedAt < tonumber(revokedAt)
end

-- Adds (or re-scores) a family in the session index, pruning expired entries,
-- and makes the index live as long as its longest family.
local function indexFamily(key, familyId, expiresAtText, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', now))
  redis.call('ZADD', key, expiresAtText, familyId)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', key, math.max(1, ttl(last[2], now)))
end

local function subjectRevoked(key, issuedAt, now)
  cleanSubjectIfDue(key, now)
  local s = redis.call('HMGET', key, 't', 'x')
  return revokedBefore(s[1], s[2], issuedAt, now)
end
`;

// KEYS: family, index. ARGV: tokenId, expiresAt, absoluteExpiresAt, now, familyId, label ('' for none).
const CREATE_FAMILY = `${LUA_HELPERS}
local now = tonumber(ARGV[4])
redis.call('DEL', KEYS[1])
local t = ttl(ARGV[2], now)
if t <= 0 then redis.call('ZREM', KEYS[2], ARGV[5]) return 0 end
redis.call('HSET', KEYS[1], 'l', ARGV[1], 'x', ARGV[2], 'a', ARGV[3], 'r', ARGV[4], 'c', ARGV[4], 'u', ARGV[4])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'b', ARGV[6]) end
redis.call('PEXPIRE', KEYS[1], t)
indexFamily(KEYS[2], ARGV[5], ARGV[2], now)
return 1
`;

// KEYS: family, subject, index. ARGV: tokenId, issuedAt, now, nextTokenId, nextExpiresAt, reuseGraceMs, familyId.
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
  redis.call('ZREM', KEYS[3], ARGV[7])
  return {'reused'}
end
local nextExpiresAt = ARGV[5]
if absolute ~= '' and tonumber(absolute) < tonumber(nextExpiresAt) then nextExpiresAt = absolute end
if isLive then redis.call('HSET', KEYS[1], 'p', live, 'r', ARGV[3]) end
redis.call('HSET', KEYS[1], 'l', ARGV[4], 'x', nextExpiresAt, 'u', ARGV[3])
-- A family recorded before sessions were listed has no creation time: its last rotation before
-- this one (its creation, if it never rotated) is the best known.
redis.call('HSETNX', KEYS[1], 'c', rotatedAt)
local t = ttl(nextExpiresAt, now)
if t > 0 then
  redis.call('PEXPIRE', KEYS[1], t)
  indexFamily(KEYS[3], ARGV[7], nextExpiresAt, now)
else
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[7])
end
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

// KEYS: family, index. ARGV: now, familyId.
const REVOKE_FAMILY = `
redis.call('ZREM', KEYS[2], ARGV[2])
local x = redis.call('HGET', KEYS[1], 'x')
if not x then return 0 end
if tonumber(x) <= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) return 0 end
redis.call('HSET', KEYS[1], 'v', '1')
return 1
`;

// KEYS: subject. ARGV: tokenId, expiresAt, now.
const REVOKE_ACCESS_TOKEN = `${LUA_HELPERS}
local now = tonumber(ARGV[3])
local key, field, untilText = KEYS[1], 'd:' .. ARGV[1], ARGV[2]
cleanSubjectIfDue(key, now)
if tonumber(untilText) <= now then return 0 end
local current = redis.call('HGET', key, field)
if current and tonumber(current) >= tonumber(untilText) then return 0 end
if current or redis.call('HLEN', key) < MAX_SUBJECT_FIELDS then
  redis.call('HSET', key, field, untilText)
  noteExpiry(key, untilText)
  return 1
end
-- Full: fold every denial into "access tokens issued up to now are revoked until
-- the latest of their expiries". The denied tokens were all issued by now, so
-- each stays refused; the subject's later tokens are not touched.
local all = redis.call('HGETALL', key)
local denials = {}
local revokedAt = string.format('%.0f', math.floor(now) + 1)
for i = 1, #all, 2 do
  local name, value = all[i], all[i + 1]
  if string.sub(name, 1, 2) == 'd:' then
    denials[#denials + 1] = name
    if tonumber(value) > tonumber(untilText) then untilText = value end
  elseif name == 'y' and tonumber(value) > tonumber(untilText) then untilText = value
  elseif name == 'u' and tonumber(value) > tonumber(revokedAt) then revokedAt = value
  end
end
if #denials > 0 then redis.call('HDEL', key, unpack(denials)) end
redis.call('HSET', key, 'u', revokedAt, 'y', untilText)
cleanSubject(key, now)
return 1
`;

// KEYS: subject[, family of the token's session]. ARGV: tokenId, issuedAt, now.
const IS_ACCESS_TOKEN_REVOKED = `${LUA_HELPERS}
local now, issuedAt = tonumber(ARGV[3]), tonumber(ARGV[2])
if KEYS[2] then
  -- The session's family, in the same script: revoked or reused, its access tokens end too.
  -- A family this store does not know (another instance's store, one expired) revokes nothing.
  local f = redis.call('HMGET', KEYS[2], 'x', 'v')
  if f[2] and f[1] and tonumber(f[1]) > now then return 1 end
end
cleanSubjectIfDue(KEYS[1], now)
local s = redis.call('HMGET', KEYS[1], 't', 'x', 'u', 'y', 'd:' .. ARGV[1])
if revokedBefore(s[1], s[2], issuedAt, now) or revokedBefore(s[3], s[4], issuedAt, now) then return 1 end
if s[5] and tonumber(s[5]) > now then return 1 end
return 0
`;

// KEYS: subject. ARGV: revokedAt, expiresAt, now.
const REVOKE_SUBJECT = `${LUA_HELPERS}
local now = tonumber(ARGV[3])
local revokedAt, untilText = ARGV[1], ARGV[2]
cleanSubjectIfDue(KEYS[1], now)
local s = redis.call('HMGET', KEYS[1], 't', 'x')
if s[1] and tonumber(s[2]) > now then
  if tonumber(s[1]) > tonumber(revokedAt) then revokedAt = s[1] end
  if tonumber(s[2]) > tonumber(untilText) then untilText = s[2] end
end
if tonumber(untilText) <= now then return 0 end
redis.call('HSET', KEYS[1], 't', revokedAt, 'x', untilText)
noteExpiry(KEYS[1], untilText)
return 1
`;

// KEYS: subject, index. ARGV: now, the family key prefix of the subject.
// Answers { id, createdAt, lastUsedAt, expiresAt, absolute ('' unbounded), label ('' none), ... }.
const LIST_SESSIONS = `${LUA_HELPERS}
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
cleanSubjectIfDue(KEYS[1], now)
local s = redis.call('HMGET', KEYS[1], 't', 'x')
local revokedAt = nil
if s[1] and tonumber(s[2]) > now then revokedAt = tonumber(s[1]) end
local out, gone = {}, {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local f = redis.call('HMGET', ARGV[2] .. id, 'x', 'v', 'c', 'u', 'a', 'b', 'r')
  local used = f[4] or f[7]
  if not f[1] or tonumber(f[1]) <= now or f[2] or (revokedAt and tonumber(used) < revokedAt) then
    gone[#gone + 1] = id
  else
    out[#out + 1] = id
    out[#out + 1] = f[3] or used
    out[#out + 1] = used
    out[#out + 1] = f[1]
    out[#out + 1] = f[5] or ''
    out[#out + 1] = f[6] or ''
  end
end
if #gone > 0 then redis.call('ZREM', KEYS[2], unpack(gone)) end
if #out == 0 then redis.call('DEL', KEYS[2]) end
return out
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
  listSessions: script(LIST_SESSIONS),
} as const;

type ScriptRunner = (script: Script, keys: string[], args: string[]) => Promise<unknown>;

/** Sends one command to one Redis node. */
type CommandSender = (args: string[]) => Promise<unknown>;

/**
 * What the store needs from a client besides its script commands, read from
 * the client's public state at run time (the public `*ClientLike` types stay
 * minimal, so that wrappers and mocks with only the script commands still fit).
 */
interface ClientDriver {
  readonly run: ScriptRunner;
  /** Why the client cannot take a command right now, or `undefined` when it can. */
  notReady(): string | undefined;
  /** Starts the connection of a client that nobody has connected yet; a no-op otherwise. */
  connectIfIdle(): Promise<unknown>;
  /** One sender per master node (one for a single node), or `[]` when the client offers none. */
  masters(): Promise<CommandSender[]>;
}

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function isNodeRedisClient(client: RedisClientLike): client is NodeRedisClientLike {
  return typeof (client as Partial<NodeRedisClientLike> | undefined)?.evalSha === 'function';
}

/** The public state and commands of an ioredis `Redis` or `Cluster` the store reads when present. */
interface IoredisState {
  status?: unknown;
  connect?: unknown;
  call?: unknown;
  nodes?: unknown;
}

/** The public state and commands of a node-redis client or cluster the store reads when present. */
interface NodeRedisState {
  isReady?: unknown;
  isOpen?: unknown;
  connect?: unknown;
  sendCommand?: unknown;
  masters?: unknown;
  nodeClient?: unknown;
}

type AnyFunction = (...args: unknown[]) => unknown;

function method(target: object, name: string): AnyFunction | undefined {
  const value = (target as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as AnyFunction).bind(target) : undefined;
}

function ioredisSender(node: object): CommandSender | undefined {
  const call = method(node, 'call');
  return call && (async (args) => call(...args));
}

function ioredisDriver(client: IoredisClientLike): ClientDriver {
  const state = client as IoredisClientLike & IoredisState;
  return {
    // One EVALSHA per call; EVAL (which also caches the script) only when the server has not seen it.
    run: async (s, keys, args) => {
      try {
        return await client.evalsha(s.sha1, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScriptError(error)) throw error;
        return client.eval(s.source, keys.length, ...keys, ...args);
      }
    },
    // ioredis (Redis and Cluster) says `ready` only when commands can be sent and answered.
    notReady: () =>
      typeof state.status !== 'string' || state.status === 'ready' ? undefined : `status ${state.status}`,
    connectIfIdle: async () => {
      // `wait`: created with lazyConnect and never connected.
      const connect = method(client, 'connect');
      if (state.status === 'wait' && connect) await connect();
    },
    masters: async () => {
      const nodes = method(client, 'nodes');
      const targets = nodes ? (nodes('master') as unknown[]) : [client];
      return targets.flatMap((node) => {
        const sender = typeof node === 'object' && node !== null ? ioredisSender(node) : undefined;
        return sender ? [sender] : [];
      });
    },
  };
}

function nodeRedisDriver(client: NodeRedisClientLike): ClientDriver {
  const state = client as NodeRedisClientLike & NodeRedisState;
  return {
    run: async (s, keys, args) => {
      try {
        return await client.evalSha(s.sha1, { keys, arguments: args });
      } catch (error) {
        if (!isNoScriptError(error)) throw error;
        return client.eval(s.source, { keys, arguments: args });
      }
    },
    // A client says isReady once connected and not reconnecting; a cluster only has isOpen.
    notReady: () => {
      if (state.isOpen === false) return 'not connected (connect() not called, or closed)';
      if (state.isReady === false) return 'connecting or reconnecting';
      return undefined;
    },
    connectIfIdle: async () => {
      const connect = method(client, 'connect');
      if (state.isOpen === false && connect) await connect();
    },
    masters: async () => {
      const nodeClient = method(client, 'nodeClient');
      if (Array.isArray(state.masters) && nodeClient) {
        const clients = await Promise.all(state.masters.map((master) => nodeClient(master)));
        return clients.flatMap((node) => {
          const send = typeof node === 'object' && node !== null ? method(node, 'sendCommand') : undefined;
          return send ? [async (args: string[]) => send(args)] : [];
        });
      }
      const send = method(client, 'sendCommand');
      return send ? [async (args: string[]) => send(args)] : [];
    },
  };
}

function clientDriver(client: RedisClientLike): ClientDriver {
  if (isNodeRedisClient(client)) return nodeRedisDriver(client);
  if (typeof client?.evalsha !== 'function' || typeof client.eval !== 'function') {
    throw invalidConfig('expected an ioredis or node-redis client');
  }
  return ioredisDriver(client);
}

/** A `CONFIG GET` answer: `[name, value]` (RESP2) or `{ name: value }` (node-redis, RESP3). */
function configValue(reply: unknown, name: string): string | undefined {
  if (Array.isArray(reply)) {
    const index = reply.indexOf(name);
    return index >= 0 && typeof reply[index + 1] === 'string' ? reply[index + 1] : undefined;
  }
  if (reply instanceof Map) return typeof reply.get(name) === 'string' ? reply.get(name) : undefined;
  if (typeof reply === 'object' && reply !== null) {
    const value = (reply as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

interface MemorySettings {
  policy: string;
  maxmemory: string;
}

/**
 * Reads `maxmemory` and `maxmemory-policy` of one node: `CONFIG GET`, else
 * `INFO memory` (managed offerings often refuse CONFIG but answer INFO).
 */
async function memorySettings(send: CommandSender): Promise<MemorySettings | undefined> {
  try {
    const policy = configValue(await send(['CONFIG', 'GET', 'maxmemory-policy']), 'maxmemory-policy');
    const maxmemory = configValue(await send(['CONFIG', 'GET', 'maxmemory']), 'maxmemory');
    if (policy !== undefined && maxmemory !== undefined) return { policy, maxmemory };
  } catch {
    // Refused: try INFO below.
  }
  try {
    const info = await send(['INFO', 'memory']);
    const text = typeof info === 'string' ? info : '';
    const policy = /^maxmemory_policy:(\S+)/m.exec(text)?.[1];
    const maxmemory = /^maxmemory:(\d+)/m.exec(text)?.[1];
    if (policy !== undefined && maxmemory !== undefined) return { policy, maxmemory };
  } catch {
    // Refused as well: the policy cannot be checked.
  }
  return undefined;
}

function evictionRisk(settings: MemorySettings | undefined): RedisEvictionRisk {
  if (settings === undefined) return 'unknown';
  if (settings.maxmemory === '0' || settings.policy === 'noeviction') return 'nothing';
  if (settings.policy.startsWith('volatile-')) return 'sessions';
  if (settings.policy.startsWith('allkeys-')) return 'revocations';
  return 'unknown';
}

const RISK_ORDER: readonly RedisEvictionRisk[] = ['nothing', 'sessions', 'unknown', 'revocations'];

function evictionWarning(evicts: RedisEvictionRisk, policy: string | undefined): string | undefined {
  const advice = 'Set maxmemory-policy noeviction on the Redis that holds tokenward keys.';
  switch (evicts) {
    case 'nothing':
      return undefined;
    case 'sessions':
      return `RedisTokenStore: Redis runs maxmemory-policy ${policy}: under memory pressure it may evict refresh-token families, which logs their users out (revocations are kept: they have no TTL). ${advice}`;
    case 'revocations':
      return `RedisTokenStore: Redis runs maxmemory-policy ${policy}: under memory pressure it may evict revocations, and a revoked token would be accepted again. ${advice}`;
    case 'unknown':
      return policy === undefined
        ? `RedisTokenStore: could not check Redis's maxmemory-policy (CONFIG GET and INFO were refused). Make sure it is noeviction: an allkeys-* policy may evict revocations. ${advice}`
        : `RedisTokenStore: Redis runs an unknown maxmemory-policy ${policy}. ${advice}`;
  }
}

async function checkEviction(driver: ClientDriver): Promise<RedisEvictionCheck> {
  let senders: CommandSender[];
  try {
    senders = await driver.masters();
  } catch {
    senders = [];
  }
  const settings = senders.length === 0 ? [undefined] : await Promise.all(senders.map(memorySettings));
  let worst: { evicts: RedisEvictionRisk; policy: string | undefined } = {
    evicts: 'nothing',
    policy: undefined,
  };
  for (const node of settings) {
    const evicts = evictionRisk(node);
    if (RISK_ORDER.indexOf(evicts) >= RISK_ORDER.indexOf(worst.evicts))
      worst = { evicts, policy: node?.policy };
  }
  return { ...worst, warning: evictionWarning(worst.evicts, worst.policy) };
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
 * `createCluster()`).
 *
 * Every operation is one round trip: one Lua script that reads, decides and
 * writes atomically (`EVALSHA`, falling back to `EVAL` the first time a server
 * has not cached the script). All keys of one subject share a Redis Cluster
 * hash tag, so each script touches a single slot.
 *
 * Revocations survive memory pressure: they live in one hash per subject
 * without a TTL, which no `volatile-*` eviction policy touches, and the scripts
 * themselves remove what has expired. Refresh-token families expire with a TTL;
 * an evicted family only refuses its tokens. Run Redis with `maxmemory-policy
 * noeviction` ({@link RedisTokenStore.ready} warns about any other).
 *
 * The store keeps token ids, family ids and times, never a token. It sends a
 * command only while the client is connected, and otherwise throws at once
 * (tokenward answers `STORE_UNAVAILABLE`) instead of waiting out the store
 * timeout: so `await store.ready()` before serving, and configure the client
 * to fail fast too (ioredis: `enableOfflineQueue: false`, `commandTimeout`;
 * node-redis: `disableOfflineQueue: true`).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisTokenStore } from 'tokenward/redis';
 *
 * const redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false });
 * const store = new RedisTokenStore(redis); // or new RedisTokenStore({ client: redis, prefix: 'tokenward:' })
 * await store.ready(); // connected, eviction policy checked
 * const auth = createAuth({ keys, issuer, audience, store });
 * ```
 */
export class RedisTokenStore implements TokenStore {
  readonly #driver: ClientDriver;
  readonly #prefix: string;

  /**
   * Creates a store on `client`, which stays yours to close.
   * @throws AuthError CONFIG_INVALID for a client of neither kind, an unknown option or a bad prefix.
   */
  constructor(client: RedisClientLike, options?: RedisTokenStoreOptions);
  /**
   * Creates a store on `config.client`, which stays yours to close.
   * @throws AuthError CONFIG_INVALID for a client of neither kind, an unknown option or a bad prefix.
   */
  constructor(config: RedisTokenStoreConfig);
  constructor(clientOrConfig: RedisClientLike | RedisTokenStoreConfig, options: RedisTokenStoreOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidConfig('options must be an object');
    const config = isConfig(clientOrConfig) ? clientOrConfig : { ...options, client: clientOrConfig };
    // A misspelt option (`prefx`) would otherwise be ignored silently, like createAuth refuses it.
    for (const key of Object.keys(config)) {
      if (!CONFIG_KEYS.has(key)) throw invalidConfig(`unknown option "${key}"`);
    }
    const prefix = config.prefix ?? 'tokenward:';
    if (typeof prefix !== 'string') throw invalidConfig('the key prefix must be a string');
    if (/[{}]/.test(prefix)) {
      throw invalidConfig('the key prefix must not contain "{" or "}" (they set the cluster slot)');
    }
    this.#prefix = prefix;
    this.#driver = clientDriver(config.client);
  }

  /**
   * Resolves once the client is connected (starting the connection of a client
   * nobody connected yet: ioredis `lazyConnect`, node-redis before `connect()`),
   * then checks Redis's eviction policy and warns (`process.emitWarning`, type
   * `TokenwardWarning`, code `TOKENWARD_REDIS_EVICTION`) when it may evict
   * tokenward's keys or cannot be read. Call it before serving: until the
   * client is connected, every operation answers `STORE_UNAVAILABLE`.
   * @throws AuthError STORE_UNAVAILABLE when the client is not connected within `timeoutMs`.
   */
  async ready(options: RedisReadyOptions = {}): Promise<RedisStoreReadiness> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw invalidConfig('ready(): timeoutMs must be a non-negative number');
    }
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    // A failed first attempt is not the end: the client keeps reconnecting until the deadline.
    this.#driver.connectIfIdle().catch((error: unknown) => {
      lastError = error;
    });
    for (;;) {
      const reason = this.#driver.notReady();
      if (reason === undefined) break;
      if (Date.now() >= deadline) {
        throw new AuthError(
          'STORE_UNAVAILABLE',
          `RedisTokenStore: the Redis client was not connected within ${timeoutMs} ms (${reason})`,
          { cause: lastError },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    const eviction = await checkEviction(this.#driver);
    if (eviction.warning !== undefined) {
      process.emitWarning(eviction.warning, { type: 'TokenwardWarning', code: 'TOKENWARD_REDIS_EVICTION' });
    }
    return { eviction };
  }

  async createFamily(family: NewRefreshFamily): Promise<void> {
    const absolute =
      family.absoluteExpiresAt === Number.POSITIVE_INFINITY
        ? ''
        : time(family.absoluteExpiresAt, 'absoluteExpiresAt');
    await this.#run(
      SCRIPTS.createFamily,
      [this.#familyKey(family.subject, family.familyId), this.#indexKey(family.subject)],
      [
        family.tokenId,
        time(family.expiresAt, 'expiresAt'),
        absolute,
        time(family.now, 'now'),
        family.familyId,
        typeof family.label === 'string' ? family.label : '',
      ],
    );
  }

  async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    const reply = await this.#run(
      SCRIPTS.rotate,
      [
        this.#familyKey(input.subject, input.familyId),
        this.#subjectKey(input.subject),
        this.#indexKey(input.subject),
      ],
      [
        input.tokenId,
        time(input.issuedAt, 'issuedAt'),
        time(input.now, 'now'),
        input.nextTokenId,
        time(input.nextExpiresAt, 'nextExpiresAt'),
        time(input.reuseGraceMs, 'reuseGraceMs'),
        input.familyId,
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
      [this.#familyKey(family.subject, family.familyId), this.#indexKey(family.subject)],
      [time(family.now, 'now'), family.familyId],
    );
  }

  async revokeAccessToken(token: RevokeAccessTokenInput): Promise<void> {
    await this.#run(
      SCRIPTS.revokeAccessToken,
      [this.#subjectKey(token.subject)],
      [token.tokenId, time(token.expiresAt, 'expiresAt'), time(token.now, 'now')],
    );
  }

  async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    const reply = await this.#run(
      SCRIPTS.isAccessTokenRevoked,
      token.sessionId === undefined
        ? [this.#subjectKey(token.subject)]
        : [this.#subjectKey(token.subject), this.#familyKey(token.subject, token.sessionId)],
      [token.tokenId, time(token.issuedAt, 'issuedAt'), time(token.now, 'now')],
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

  /** Lists the subject's live sessions, newest first: one script, one round trip. */
  async listSessions(input: ListSessionsInput): Promise<SessionRecord[]> {
    const reply = await this.#run(
      SCRIPTS.listSessions,
      [this.#subjectKey(input.subject), this.#indexKey(input.subject)],
      [time(input.now, 'now'), `${this.#subjectPrefix(input.subject)}:f:`],
    );
    if (!Array.isArray(reply) || reply.length % 6 !== 0) throw unexpectedReply(reply);
    const sessions: SessionRecord[] = [];
    for (let i = 0; i < reply.length; i += 6) {
      const [id, createdAt, lastUsedAt, expiresAt, absolute, label] = reply.slice(i, i + 6).map(String) as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const session: SessionRecord = {
        id,
        createdAt: Number(createdAt),
        lastUsedAt: Number(lastUsedAt),
        expiresAt: Number(expiresAt),
        absoluteExpiresAt: absolute === '' ? Number.POSITIVE_INFINITY : Number(absolute),
      };
      if (label !== '') session.label = label;
      sessions.push(session);
    }
    return sessions.sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * Runs a script, or throws at once while the client is not connected: a
   * down or reconnecting client would otherwise queue the command (or wait for
   * its own timeout) and hold every request for the whole store timeout.
   */
  async #run(s: Script, keys: string[], args: string[]): Promise<unknown> {
    const reason = this.#driver.notReady();
    if (reason !== undefined) {
      throw new AuthError(
        'STORE_UNAVAILABLE',
        `RedisTokenStore: the Redis client is not connected (${reason})`,
      );
    }
    return this.#driver.run(s, keys, args);
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

  #indexKey(subject: string): string {
    return `${this.#subjectPrefix(subject)}:i`;
  }

  #familyKey(subject: string, familyId: string): string {
    return `${this.#subjectPrefix(subject)}:f:${familyId}`;
  }
}
