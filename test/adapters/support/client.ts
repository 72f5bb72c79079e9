/** A small HTTP client for the scenario table: real `fetch`, or `node:http` where fetch cannot send the request. */

import { request as httpRequest } from 'node:http';

export interface RequestSpec {
  method?: string;
  path: string;
  /** A header given as an array is sent several times (raw `node:http` request). */
  headers?: Record<string, string | string[]>;
  body?: string;
  /** `true` to send through `node:http`, which (unlike fetch) sends a `Host` header as given. */
  raw?: boolean;
}

export interface Reply {
  status: number;
  headers: Map<string, string>;
  setCookies: string[];
  text: string;
  json: Record<string, unknown> | undefined;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function send(baseUrl: string, spec: RequestSpec): Promise<Reply> {
  const headers = spec.headers ?? {};
  if (spec.raw === true || Object.values(headers).some(Array.isArray)) return sendRaw(baseUrl, spec);
  const response = await fetch(baseUrl + spec.path, {
    method: spec.method ?? 'GET',
    headers: headers as Record<string, string>,
    body: spec.body,
  });
  const text = await response.text();
  const map = new Map<string, string>();
  for (const [name, value] of response.headers) map.set(name, value);
  return {
    status: response.status,
    headers: map,
    setCookies: response.headers.getSetCookie(),
    text,
    json: parse(text),
  };
}

function sendRaw(baseUrl: string, spec: RequestSpec): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      baseUrl + spec.path,
      { method: spec.method ?? 'GET', headers: spec.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const map = new Map<string, string>();
          const setCookies: string[] = [];
          for (const [name, value] of Object.entries(res.headers)) {
            if (name === 'set-cookie') setCookies.push(...(value as string[]));
            else if (value !== undefined) map.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({ status: res.statusCode ?? 0, headers: map, setCookies, text, json: parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** The value of a cookie set by a `Set-Cookie` list. */
export function cookieValue(setCookies: readonly string[], name: string): string | undefined {
  for (const line of setCookies) {
    const [pair] = line.split(';');
    const equals = pair!.indexOf('=');
    if (pair!.slice(0, equals) === name) return pair!.slice(equals + 1);
  }
  return undefined;
}
