/**
 * The load generator, in a process of its own so that the fakes' work never delays a send or a
 * measurement. Reads a plan (JSON on stdin), posts each request signed as Slack signs it, open
 * loop at a fixed rate (a slow answer never delays the next send, as with real Slack), and prints
 * every request's acknowledgement time (JSON on stdout).
 */
import { request, Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { slackSignature } from '../../test/support/slack-requests.js';
import type { SendPlan, SendResult } from './plan.js';

/** Slack gives up on a request after 3 s; the sender waits longer so slow acks are still measured. */
const REQUEST_TIMEOUT_MS = 30_000;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function post(url: URL, agent: Agent, secret: string, body: string, contentType: string): Promise<{ status: number; ms: number }> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': slackSignature(secret, timestamp, body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

async function run(plan: SendPlan): Promise<SendResult[]> {
  const url = new URL(plan.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const intervalMs = plan.ratePerSecond > 0 ? 1000 / plan.ratePerSecond : 0;
  const pending: Array<Promise<SendResult>> = [];
  const t0 = performance.now();
  for (const [index, item] of plan.requests.entries()) {
    const wait = t0 + index * intervalMs - performance.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (index % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    const sentAt = Date.now();
    pending.push(post(url, agent, plan.secret, item.body, item.contentType).then((outcome) => ({ id: item.id, kind: item.kind, sentAt, ...outcome })));
  }
  const results = await Promise.all(pending);
  agent.destroy();
  return results;
}

const plan = JSON.parse(await readStdin()) as SendPlan;
const results = await run(plan);
process.stdout.write(JSON.stringify({ results }));
