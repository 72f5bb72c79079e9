/**
 * Reading a small request body (JSON or form) with a hard size bound.
 * @packageDocumentation
 */

import { AuthError } from '../../errors.js';
import type { HttpRequestView } from './types.js';

/** The default largest body the token routes read, in bytes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** The default longest time a body may take to arrive, in milliseconds. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** The body media types the token routes accept. */
export type BodyType = 'json' | 'form';

/** A parsed body: its media type and its fields (strings for a form, any JSON value for JSON). */
export interface ParsedBody {
  readonly type: BodyType;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Where a body comes from: the unread stream, or the value a body parser of the application
 * already produced.
 */
export interface BodySource {
  /**
   * The request body as a Web stream: a Fetch `Request`'s `body`, or a Node request
   * seen through `nodeBodyStream`. `undefined` (or `null`) for none.
   */
  readonly stream: ReadableStream<Uint8Array> | null | undefined;
  /** A body the application already parsed (`req.body`), used when the stream was consumed. */
  readonly parsed?: unknown;
  /** `true` when something already read the stream. */
  readonly consumed?: boolean;
}

/** The media type of a request, lower case, without parameters. */
export function mediaType(request: HttpRequestView): string | undefined {
  const header = request.header('content-type');
  if (header === undefined) return undefined;
  return header.split(';', 1)[0]!.trim().toLowerCase();
}

/** `true` when the request announces no body: no media type, and no length or chunked transfer. */
export function announcesNoBody(request: HttpRequestView): boolean {
  const length = request.header('content-length');
  return (
    mediaType(request) === undefined &&
    request.header('transfer-encoding') === undefined &&
    (length === undefined || length === '0')
  );
}

/** How a body is read: its size bound, the media types accepted, and how long it may take. */
export interface ReadBodyOptions {
  /** The largest body, in bytes. */
  limit: number;
  /** The media types accepted. */
  accept: readonly BodyType[];
  /** The longest time the body may take to arrive, in milliseconds. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Reads and parses the body: `application/json` (an object) or, when `accept`
 * lists `form`, `application/x-www-form-urlencoded`. Reading stops as soon as
 * the body exceeds `limit` bytes, so a huge body is never buffered, and when it
 * has not arrived within `timeoutMs`, so a trickling body holds nothing for long.
 * @throws AuthError REQUEST_INVALID for another media type, a body over the
 * limit or too slow, invalid JSON or UTF-8, or a JSON value that is not an object.
 */
export async function readBody(
  request: HttpRequestView,
  source: BodySource,
  options: ReadBodyOptions,
): Promise<ParsedBody> {
  const type = mediaType(request);
  const bodyType: BodyType | undefined =
    type === 'application/json' ? 'json' : type === 'application/x-www-form-urlencoded' ? 'form' : undefined;
  if (bodyType === undefined || !options.accept.includes(bodyType)) {
    const expected = options.accept.map((t) =>
      t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    );
    throw new AuthError('REQUEST_INVALID', `the request body must be ${expected.join(' or ')}`);
  }
  if (source.consumed === true) return { type: bodyType, fields: alreadyParsed(source.parsed) };
  const declared = Number(request.header('content-length'));
  if (declared > options.limit) throw tooLarge(options.limit);
  const text = await readText(
    source.stream ?? undefined,
    options.limit,
    options.timeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
  );
  // A null-prototype record: a form field named __proto__ is then a field, never the prototype.
  if (bodyType === 'form') return { type: bodyType, fields: formFields(text) };
  let value: unknown;
  try {
    // JSON.parse makes "__proto__" an own property, not the prototype: nothing is polluted.
    value = JSON.parse(text);
  } catch {
    throw new AuthError('REQUEST_INVALID', 'the request body is not valid JSON');
  }
  return { type: bodyType, fields: alreadyParsed(value) };
}

function formFields(text: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    // The last of repeated fields wins, as Object.fromEntries gave before.
    fields[name] = value;
  }
  return fields;
}

function alreadyParsed(value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthError('REQUEST_INVALID', 'the request body must be an object');
  }
  return value as Record<string, unknown>;
}

function tooLarge(limit: number): AuthError {
  return new AuthError('REQUEST_INVALID', `the request body is larger than ${limit} bytes`);
}

const unreadable = () => new AuthError('REQUEST_INVALID', 'the request body could not be read');

async function readText(
  stream: ReadableStream<Uint8Array> | undefined,
  limit: number,
  timeoutMs: number,
): Promise<string> {
  if (stream === undefined) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AuthError('REQUEST_INVALID', `the request body took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    // A Node timer must not keep the process alive for a body nobody waits for any more.
    (timer as { unref?: () => void }).unref?.();
  });
  late.catch(() => {});
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await Promise.race([reader.read(), late]);
      } catch (error) {
        throw error instanceof AuthError ? error : unreadable();
      }
      if (chunk.done) break;
      const bytes = typeof chunk.value === 'string' ? new TextEncoder().encode(chunk.value) : chunk.value;
      size += bytes.byteLength;
      if (size > limit) throw tooLarge(limit);
      chunks.push(bytes);
    }
  } catch (error) {
    // The rest is dropped, not buffered: a Node stream drains so the connection can still carry the answer.
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(whole);
  } catch {
    throw new AuthError('REQUEST_INVALID', 'the request body is not valid UTF-8');
  }
}
