import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countedFetch, slackMethodOf } from '../../src/publish/counted-fetch.js';

/** Every Slack HTTP request reported by method and status, the response passed through untouched. */
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const status = request.url?.includes('chat.update') ? 429 : 200;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status === 200 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('countedFetch', () => {
  it('reports each request by Web API method and HTTP status, and a network failure without one', async () => {
    const seen: Array<[string, number | undefined]> = [];
    const fetch = countedFetch((method, status) => seen.push([method, status]));
    expect(await (await fetch(`${base}chat.postMessage`, { method: 'POST' })).json()).toEqual({ ok: true });
    await fetch(`${base}chat.postMessage`, { method: 'POST' });
    expect((await fetch(new URL(`${base}chat.update`), { method: 'POST' })).status).toBe(429);
    await expect(fetch('http://127.0.0.1:1/api/auth.test', { method: 'POST' })).rejects.toThrow();
    expect(seen).toEqual([
      ['chat.postMessage', 200],
      ['chat.postMessage', 200],
      ['chat.update', 429],
      ['auth.test', undefined],
    ]);
  });

  it('labels anything that is not a method name as one label', () => {
    expect(slackMethodOf('https://slack.com/api/chat.update?x=1')).toBe('chat.update');
    expect(slackMethodOf('https://files.slack.com/upload/v1/ABC%20DEF')).toBe('other');
  });
});
