/**
 * Seeing a Node request (`IncomingMessage`, or what a framework wraps it in) through the shared
 * request view and body stream. Structural types only: nothing here loads a `node:` module.
 * @packageDocumentation
 */

import type { HttpRequestView } from './types.js';

/** The parts of Node's `IncomingMessage` the view reads. */
export interface NodeRequestLike {
  /** The request method. */
  readonly method?: string | undefined;
  /** Node's parsed headers (duplicates of some headers already dropped by Node). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Node's raw header list, `[name, value, name, value, ...]`, which keeps duplicates. */
  readonly rawHeaders: readonly string[];
}

class NodeRequestView implements HttpRequestView {
  readonly method: string | undefined;
  readonly #request: NodeRequestLike;

  constructor(request: NodeRequestLike) {
    this.#request = request;
    this.method = request.method;
  }

  header(name: string): string | undefined {
    const value = this.#request.headers[name];
    // Only Set-Cookie is an array in Node, and a request does not carry it: the first is the value.
    return Array.isArray(value) ? value[0] : value;
  }

  fieldCount(name: string): number {
    let count = 0;
    const raw = this.#request.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const headerName = raw[i]!;
      if (headerName.length === name.length && headerName.toLowerCase() === name) count += 1;
    }
    return count;
  }
}

/** The shared view of a Node request: its headers, and the raw list that keeps duplicates. */
export function nodeRequestView(request: NodeRequestLike): HttpRequestView {
  return new NodeRequestView(request);
}

/** The parts of a Node readable stream {@link nodeBodyStream} uses. */
export interface NodeReadableLike {
  on(event: string, listener: (chunk: unknown) => void): unknown;
  off(event: string, listener: (chunk: unknown) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * A Node request body as a Web stream, for the one body reader. Cancelling it (a body over the
 * limit, or too slow) stops listening and lets the rest drain instead of destroying the socket,
 * so the connection can still carry the error answer.
 */
export function nodeBodyStream(stream: NodeReadableLike): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let attached = false;
  let detach = (): void => {};
  const attach = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    attached = true;
    const onData = (chunk: unknown) => {
      controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : (chunk as Uint8Array));
    };
    const onEnd = () => {
      detach();
      controller.close();
    };
    const onError = () => {
      detach();
      controller.error(new Error('the request stream failed'));
    };
    detach = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  };
  return new ReadableStream<Uint8Array>(
    {
      // Listening starts at the first read: a route that reads no body leaves the Node stream untouched.
      pull(controller) {
        if (!attached) attach(controller);
      },
      cancel() {
        detach();
        stream.resume();
      },
    },
    { highWaterMark: 0 },
  );
}
