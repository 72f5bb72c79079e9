/**
 * A small client of the example apps, the way a mobile app or a script would
 * talk to them: it keeps the access token in memory and the refresh cookie in
 * its own jar. The demo narrates with it and the smoke test drives every
 * example with it. It imports nothing from tokenward: it only speaks HTTP.
 */

/** One request and its answer. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  /** The request headers worth showing (authorization, cookie, content-type). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The request body, when there was one. */
  readonly requestBody: unknown;
  readonly status: number;
  readonly statusText: string;
  /** The answer parsed as JSON, or `undefined` (a 204, or not JSON). */
  readonly body: unknown;
  /** The `Set-Cookie` lines of the answer. */
  readonly setCookies: readonly string[];
  /** The `WWW-Authenticate` challenge, on 401 and 403. */
  readonly challenge: string | undefined;
}

/** The `error.code` of a tokenward error answer, if the body is one. */
export function errorCode(exchange: Exchange): string | undefined {
  const error = (exchange.body as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

/** A field of a JSON object answer, if present. */
export function field(exchange: Exchange, name: string): unknown {
  const body = exchange.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** One user's conversation with an example app. */
export class Session {
  /** The access token, in memory only. */
  accessToken: string | undefined;
  /** The refresh cookie as the server set it, `name=value`, or `undefined` once cleared. */
  refreshCookie: string | undefined;

  /**
   * @param baseUrl the app, e.g. `http://127.0.0.1:3000`.
   * @param authPath where its token routes are mounted.
   */
  constructor(
    readonly baseUrl: string,
    readonly authPath = '/auth',
    /** The `User-Agent` every request sends: the device, as the session list names it. */
    readonly userAgent?: string,
  ) {}

  /** `POST /auth/login`; keeps the access token and the refresh cookie it answers with. */
  async login(username: string, password: string): Promise<Exchange> {
    const exchange = await this.send('POST', `${this.authPath}/login`, { body: { username, password } });
    this.keep(exchange);
    return exchange;
  }

  /**
   * `POST /auth/refresh` with the refresh cookie, or with `cookie` instead (a
   * stolen copy being replayed, say); keeps the new pair on success.
   */
  async refresh(cookie: string | undefined = this.refreshCookie): Promise<Exchange> {
    const exchange = await this.send('POST', `${this.authPath}/refresh`, { cookie });
    if (cookie === this.refreshCookie) this.keep(exchange);
    return exchange;
  }

  /** `POST /auth/logout` with the refresh cookie and the access token, which it both revokes. */
  async logout(): Promise<Exchange> {
    const exchange = await this.send('POST', `${this.authPath}/logout`, {
      cookie: this.refreshCookie,
      token: this.accessToken,
    });
    this.keep(exchange);
    if (exchange.status === 204) this.accessToken = undefined;
    return exchange;
  }

  /** `GET /auth/sessions` with the access token: this user's sessions, this one marked `current`. */
  sessions(): Promise<Exchange> {
    return this.send('GET', `${this.authPath}/sessions`, { token: this.accessToken });
  }

  /** `DELETE /auth/sessions/:id` with the access token: signs that device out. */
  endSession(id: string): Promise<Exchange> {
    return this.send('DELETE', `${this.authPath}/sessions/${encodeURIComponent(id)}`, {
      token: this.accessToken,
    });
  }

  /** `DELETE /auth/sessions` with the access token: signs every other device out. */
  endOtherSessions(): Promise<Exchange> {
    return this.send('DELETE', `${this.authPath}/sessions`, { token: this.accessToken });
  }

  /** `GET path` with the access token, or `token`, as the bearer; `null` sends none. */
  get(path: string, token: string | null | undefined = this.accessToken): Promise<Exchange> {
    return this.send('GET', path, { token: token ?? undefined });
  }

  /** Sends one request; never throws for an HTTP error status. */
  async send(
    method: string,
    path: string,
    options: { body?: unknown; token?: string | undefined; cookie?: string | undefined } = {},
  ): Promise<Exchange> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie !== undefined) headers.cookie = options.cookie;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.userAgent !== undefined) headers['user-agent'] = this.userAgent;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return {
      method,
      path,
      requestHeaders: headers,
      requestBody: options.body,
      status: response.status,
      statusText: response.statusText,
      body,
      setCookies: response.headers.getSetCookie(),
      challenge: response.headers.get('www-authenticate') ?? undefined,
    };
  }

  /** Takes the access token and the refresh cookie from a successful login or refresh, and cleared cookies. */
  private keep(exchange: Exchange): void {
    const token = field(exchange, 'accessToken');
    if (exchange.status === 200 && typeof token === 'string') this.accessToken = token;
    for (const line of exchange.setCookies) {
      const [pair = ''] = line.split(';');
      const cleared = /;\s*max-age=0\b/i.test(line) || pair.endsWith('=');
      this.refreshCookie = cleared ? undefined : pair.trim();
    }
  }
}
