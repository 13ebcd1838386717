/**
 * Small pieces shared by the fakes: reading bodies, listening on a free loopback port, polling.
 * Nothing here knows about Slack or Anthropic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Starts an HTTP server on 127.0.0.1 with an OS-chosen port (never a fixed one: tests run in parallel). */
export async function listenOnLoopback(handler: RequestHandler): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      // A bug in a fake must be loud in the test output, yet never leave the client hanging.
      console.error('[fake] handler crashed:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('fake crashed');
    });
  });
  // Clients keep connections open as they do with Slack's and Anthropic's APIs: undici drops a
  // connection whose server announces less than two seconds, so a shorter timeout here made every
  // request open a new one. closeServer() ends idle connections itself.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Closes a server including idle and in-flight keep-alive connections, so close() never waits on a client. */
export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Polls `predicate` until it returns something other than undefined/false/null and resolves with it.
 * Polling (not events) keeps it usable for any condition a test can express, including ones that
 * span two fakes.
 */
export async function waitFor<T>(
  predicate: () => T | undefined | null | false,
  timeoutMs = 10_000,
  description = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = predicate();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      // A predicate that throws (e.g. indexing a not-yet-existing message) simply is not true yet.
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`waitFor: ${description} not met within ${timeoutMs} ms${suffix}`);
    }
    await sleep(10);
  }
}

/** Random id of `length` characters from [0-9A-Za-z], like the opaque ids both services hand out. */
export function randomId(length: number): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
