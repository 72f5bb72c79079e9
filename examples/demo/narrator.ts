/**
 * Prints requests and answers readably, and checks that each step answered
 * what it should. Colours only on a terminal, and never with `NO_COLOR`.
 */

import { type Exchange, errorCode } from '../shared/client.js';

const useColor = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

function paint(code: number): (text: string) => string {
  return (text) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
}

/** Text styles that fall back to plain text off a terminal. */
export const style = { bold: paint(1), dim: paint(2), red: paint(31), green: paint(32), cyan: paint(36) };

/** Shortens a token to its ends: the tail (signature) tells tokens apart; too little is left to use one. */
function shorten(token: string): string {
  return `${token.slice(0, 10)}…${token.slice(-6)}`;
}

/** A JWT-looking string (three base64url parts starting with `eyJ`). */
const JWT = /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/;

/** A long base64url string, such as a JWK's key material. */
const LONG_BASE64URL = /^[\w-]{40,}$/;

/** JSON with tokens and key material shortened and passwords hidden, on one line. */
function brief(value: unknown): string {
  return JSON.stringify(value, (key, item: unknown) => {
    if (key === 'password') return '•'.repeat(8);
    if (typeof item !== 'string') return item;
    if (JWT.test(item)) return shorten(item);
    return LONG_BASE64URL.test(item) ? `${item.slice(0, 8)}…` : item;
  });
}

/** A `Set-Cookie` line with its value replaced: the attributes are the interesting part. */
function cookieWithoutValue(line: string): string {
  const [pair = '', ...attributes] = line.split(';');
  const name = pair.split('=')[0] ?? '';
  const value = pair.slice(name.length + 1);
  return [`${name}=${value === '' ? '(cleared)' : '…'}`, ...attributes.map((part) => part.trim())].join('; ');
}

/** What a step must answer. */
export interface Expectation {
  /** The HTTP status. */
  status: number;
  /** The tokenward error code, for failures. */
  code?: string;
  /** Any further check: a message when it fails, `undefined` when it passes. */
  check?: (exchange: Exchange) => string | undefined;
}

/** Narrates numbered steps and remembers whether every one behaved. */
export class Narrator {
  #step = 0;
  #failures = 0;

  constructor(private readonly write: (line: string) => void = (line) => console.log(line)) {}

  /** How many steps did not answer what they should. */
  get failures(): number {
    return this.#failures;
  }

  /** A line of prose between steps. */
  say(text: string): void {
    this.write(style.dim(text));
  }

  /** Prints one exchange under a numbered title and checks it; `true` when it answered as expected. */
  step(title: string, exchange: Exchange, expected: Expectation, success: string): boolean {
    this.#step += 1;
    this.write('');
    this.write(style.bold(`${this.#step}. ${title}`));
    // Aligned under the title, whatever the width of the step number.
    const indent = ' '.repeat(String(this.#step).length + 2);
    const request = [style.cyan(`→ ${exchange.method} ${exchange.path}`)];
    const { authorization, cookie } = exchange.requestHeaders;
    if (authorization !== undefined) request.push(`Authorization: Bearer ${shorten(authorization.slice(7))}`);
    if (cookie !== undefined) request.push(`Cookie: ${cookieWithoutValue(cookie)}`);
    if (exchange.requestBody !== undefined) request.push(brief(exchange.requestBody));
    this.write(`${indent}${request.join('  ')}`);
    const answer = `← ${exchange.status} ${exchange.statusText}`;
    this.write(`${indent}${answer}${exchange.body === undefined ? '' : `  ${brief(exchange.body)}`}`);
    for (const line of exchange.setCookies)
      this.write(style.dim(`${indent}  Set-Cookie: ${cookieWithoutValue(line)}`));
    if (exchange.challenge !== undefined)
      this.write(style.dim(`${indent}  WWW-Authenticate: ${exchange.challenge}`));
    const problem = this.#problem(exchange, expected);
    if (problem === undefined) {
      this.write(style.green(`${indent}✓ ${success}`));
      return true;
    }
    this.#failures += 1;
    this.write(style.red(`${indent}✗ ${problem}`));
    return false;
  }

  #problem(exchange: Exchange, expected: Expectation): string | undefined {
    const code = errorCode(exchange);
    if (exchange.status !== expected.status || code !== expected.code) {
      const wanted = `${expected.status}${expected.code === undefined ? '' : ` ${expected.code}`}`;
      const got = `${exchange.status}${code === undefined ? '' : ` ${code}`}`;
      return `expected ${wanted}, got ${got}`;
    }
    return expected.check?.(exchange);
  }
}
