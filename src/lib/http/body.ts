/**
 * Reading a small request body (JSON or form) with a hard size bound.
 * @packageDocumentation
 */

import type { Readable } from 'node:stream';
import { AuthError } from '../../errors.js';
import type { HttpRequestView } from './types.js';

/** The default largest body the token routes read, in bytes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** The body media types the token routes accept. */
export type BodyType = 'json' | 'form';

/** A parsed body: its media type and its fields (strings for a form, any JSON value for JSON). */
export interface ParsedBody {
  readonly type: BodyType;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Where a body comes from: the unread stream, or the value a body parser of the application already produced. */
export interface BodySource {
  /** The request stream (Node's `IncomingMessage`, or what the framework hands over). */
  readonly stream: Readable | undefined;
  /** A body the application already parsed (`req.body`), used when the stream was consumed. */
  readonly parsed?: unknown;
  /** `true` when something already read the stream. */
  readonly consumed?: boolean;
}

/** The media type of a request, lower case, without parameters. */
export function mediaType(request: HttpRequestView): string | undefined {
  const header = request.headers['content-type'];
  if (header === undefined) return undefined;
  return header.split(';', 1)[0]!.trim().toLowerCase();
}

/** `true` when the request announces no body: no media type, and no length or chunked transfer. */
export function announcesNoBody(request: HttpRequestView): boolean {
  const { headers } = request;
  return (
    mediaType(request) === undefined &&
    headers['transfer-encoding'] === undefined &&
    (headers['content-length'] === undefined || headers['content-length'] === '0')
  );
}

/**
 * Reads and parses the body: `application/json` (an object) or, when `accept`
 * lists `form`, `application/x-www-form-urlencoded`. Reading stops as soon as
 * the body exceeds `limit` bytes, so a huge body is never buffered.
 * @throws AuthError REQUEST_INVALID for another media type, a body over the
 * limit, invalid JSON or UTF-8, or a JSON value that is not an object.
 */
export async function readBody(
  request: HttpRequestView,
  source: BodySource,
  options: { limit: number; accept: readonly BodyType[] },
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
  const declared = Number(request.headers['content-length']);
  if (declared > options.limit) throw tooLarge(options.limit);
  const text = await readText(source.stream, options.limit);
  if (bodyType === 'form') return { type: bodyType, fields: Object.fromEntries(new URLSearchParams(text)) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuthError('REQUEST_INVALID', 'the request body is not valid JSON');
  }
  return { type: bodyType, fields: alreadyParsed(value) };
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

function readText(stream: Readable | undefined, limit: number): Promise<string> {
  if (stream === undefined) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: unknown) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      size += buffer.length;
      if (size <= limit) {
        chunks.push(buffer);
        return;
      }
      cleanup();
      // The rest is read and dropped, not buffered, so the connection can still carry the answer.
      stream.resume();
      reject(tooLarge(limit));
    };
    const onEnd = () => {
      cleanup();
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new AuthError('REQUEST_INVALID', 'the request body is not valid UTF-8'));
      }
    };
    const onError = () => {
      cleanup();
      reject(new AuthError('REQUEST_INVALID', 'the request body could not be read'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
