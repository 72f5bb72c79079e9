/**
 * The Fetch API side of the shared HTTP layer: a `Request` seen through the request view, its
 * HTTPS judgement and client address, and an answer turned into a `Response`. Used by
 * `tokenward/web` and `tokenward/hono`; loads no `node:` module and no framework.
 * @packageDocumentation
 */

import type { HttpAnswer, HttpRequestView } from './types.js';

class FetchRequestView implements HttpRequestView {
  readonly method: string;
  readonly #request: Request;

  constructor(request: Request) {
    this.#request = request;
    this.method = request.method;
  }

  header(name: string): string | undefined {
    const value = this.#request.headers.get(name);
    if (value !== null) return value;
    // Some runtimes keep Host out of the headers; the URL is built from it.
    return name === 'host' ? hostOf(this.#request.url) : undefined;
  }

  fieldCount(): undefined {
    // Headers joins repeated fields into one value before anyone can count them.
    return undefined;
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** The shared view of a Fetch API `Request`. */
export function fetchRequestView(request: Request): HttpRequestView {
  return new FetchRequestView(request);
}

/** How a Fetch-API adapter judges where a request comes from. */
export interface ProxyOptions {
  /**
   * `true` when the app runs behind a reverse proxy (or load balancer) it trusts, one hop in front
   * of it, which sets `X-Forwarded-Proto` or `Forwarded: proto=`, and `X-Forwarded-For`. Then a
   * request counts as HTTPS when the proxy says it came over HTTPS, and its client address is the
   * one the proxy added (the last `X-Forwarded-For` entry). Default `false`: the request URL's
   * scheme decides, and those headers, which any client can send, are ignored.
   */
  trustProxy?: boolean;
}

/** The first element of a comma-separated list, trimmed. */
function firstOfList(value: string): string {
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim();
}

/** The `proto` parameter of the first element of a `Forwarded` header (RFC 7239), lower case. */
function forwardedProto(value: string): string | undefined {
  for (const pair of firstOfList(value).split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim().toLowerCase() !== 'proto') continue;
    return pair
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return undefined;
}

/**
 * Whether a request came over HTTPS: its URL's scheme, or, only with `trustProxy`, what the
 * proxy says (`X-Forwarded-Proto` first, then `Forwarded: proto=`), the client's side of the proxy.
 */
export function isHttpsRequest(request: Request, trustProxy: boolean): boolean {
  if (trustProxy) {
    const forwarded = request.headers.get('x-forwarded-proto');
    if (forwarded !== null) return firstOfList(forwarded).toLowerCase() === 'https';
    const standard = request.headers.get('forwarded');
    const proto = standard === null ? undefined : forwardedProto(standard);
    if (proto !== undefined) return proto === 'https';
  }
  return request.url.startsWith('https:');
}

/**
 * The client address the trusted proxy reports: the last `X-Forwarded-For` entry, the one the
 * proxy itself added (the entries before it come from the client and prove nothing).
 */
export function forwardedClientAddress(request: Request): string | undefined {
  const header = request.headers.get('x-forwarded-for');
  if (header === null) return undefined;
  const last = header.slice(header.lastIndexOf(',') + 1).trim();
  return last === '' ? undefined : last;
}

/** A shared answer as a Fetch API `Response` (several `Set-Cookie` lines stay several). */
export function answerResponse(answer: HttpAnswer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const line of value) headers.append(name, line);
    else headers.set(name, value);
  }
  return new Response(answer.body ?? null, { status: answer.status, headers });
}
