import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LogRecord } from '../support/bot.js';
import { onFreePort } from '../support/ports.js';
import { parsePrometheus, scrape, type Scrape } from '../support/prometheus.js';
import { SIGNING_SECRET } from '../support/slack-requests.js';
import { BOT_USER, GENERAL, startStack, type Stack } from './stack.js';

/**
 * The bot run like a service: metrics that move with the work, job logs that name
 * their job and never a credential, the queue dashboard behind basic authentication, readiness
 * that follows Redis and the model setting, and the same routes on a lone worker's port.
 */
const DASHBOARD = { path: '/admin/queues', user: 'operator', password: 'dashboard-password-42' };
const CREDENTIALS = ['xoxb-test', 'sk-ant-test', SIGNING_SECRET, DASHBOARD.password];
const MODEL = 'claude-haiku-5-5';

let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack({
    env: {
      DASHBOARD_PATH: DASHBOARD.path,
      DASHBOARD_USER: DASHBOARD.user,
      DASHBOARD_PASSWORD: DASHBOARD.password,
      // chat.update streaming: the failures injected below target chat.update.
      SLACK_STREAMING: 'update',
    },
  });
  base = `http://127.0.0.1:${stack.port}`;
});
afterAll(async () => {
  await stack?.stop();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The worker records an answer just after showing it: poll until the counter moved. */
async function scrapeUntil(predicate: (metrics: Scrape) => boolean, timeoutMs = 5000): Promise<Scrape> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metrics = await scrape(`${base}/metrics`);
    if (predicate(metrics) || Date.now() > deadline) return metrics;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /metrics', () => {
  it('shows the counters moving after an answer', async () => {
    const before = await scrape(`${base}/metrics`);
    stack.anthropic.enqueue({ text: 'An ECS service keeps a number of tasks running behind a load balancer, replacing any that stop.', chunkSize: 8, tokenDelayMs: 30 });
    const asked = await stack.mention(`<@${BOT_USER}> What is an ECS service?`);
    await stack.finalAnswer(asked);
    const answered = { source: 'mention', status: 'answered' };
    // The answer is counted just before BullMQ records the job as completed: wait for both.
    const after = await scrapeUntil(
      (metrics) =>
        metrics.value('aws_orchestrator_answers_total', answered) > before.value('aws_orchestrator_answers_total', answered) &&
        metrics.value('aws_orchestrator_queue_jobs', { state: 'completed' }) >= 1,
    );
    const delta = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);

    expect(delta('aws_orchestrator_slack_requests_received_total', { kind: 'event', name: 'app_mention' })).toBe(1);
    expect(delta('aws_orchestrator_answers_total', answered)).toBe(1);
    expect(delta('aws_orchestrator_answer_duration_seconds_count', answered)).toBe(1);
    expect(delta('aws_orchestrator_answer_first_visible_seconds_count', { source: 'mention' })).toBe(1);
    expect(delta('aws_orchestrator_queue_wait_seconds_count', { kind: 'question' })).toBe(1);
    expect(delta('aws_orchestrator_model_requests_total', { model: MODEL })).toBe(1);
    expect(delta('aws_orchestrator_model_first_token_seconds_count', { model: MODEL })).toBe(1);
    const usage = stack.anthropic.messageRequests().at(-1)!;
    expect(usage.status).toBe(200);
    expect(delta('aws_orchestrator_model_tokens_total', { model: MODEL, type: 'output' })).toBeGreaterThan(10);
    expect(delta('aws_orchestrator_model_tokens_total', { model: MODEL, type: 'input' })).toBeGreaterThan(10);
    expect(delta('aws_orchestrator_slack_api_calls_total', { method: 'chat.postMessage', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(delta('aws_orchestrator_slack_api_calls_total', { method: 'chat.update', status: '200' })).toBeGreaterThanOrEqual(1);
    // Read from Redis at scrape time.
    expect(after.value('aws_orchestrator_queue_jobs', { state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(after.samples.some((sample) => sample.name === 'aws_orchestrator_queue_jobs' && sample.labels.state === 'waiting')).toBe(true);
    // Every metric of the service says what it is.
    const ours = new Set(after.samples.map((sample) => sample.name.replace(/_(?:bucket|sum|count)$/, '')).filter((name) => name.startsWith('aws_orchestrator_')));
    for (const name of ours) expect(after.helped.has(name), `${name} has no HELP`).toBe(true);
  });

  it('counts model errors by type and Slack 429s by method', async () => {
    const before = await scrape(`${base}/metrics`);
    stack.anthropic.enqueue({ status: 529 }, { text: 'S3 stores objects in buckets; each object has a key.', chunkSize: 6, tokenDelayMs: 20 });
    stack.slack.failNext('chat.update', { status: 429, retryAfter: 1 });
    const asked = await stack.mention(`<@${BOT_USER}> What is S3?`);
    await stack.finalAnswer(asked);
    const after = await scrapeUntil((metrics) => metrics.value('aws_orchestrator_answers_total') > before.value('aws_orchestrator_answers_total'));
    const delta = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);

    expect(delta('aws_orchestrator_model_errors_total', { model: MODEL, type: 'overloaded' })).toBe(1);
    expect(delta('aws_orchestrator_model_requests_total', { model: MODEL })).toBe(2);
    expect(delta('aws_orchestrator_slack_api_rate_limited_total', { method: 'chat.update' })).toBe(1);
    expect(delta('aws_orchestrator_slack_api_calls_total', { method: 'chat.update', status: '429' })).toBe(1);
  });
});

describe('job logs', () => {
  it('carry the job id, workspace, channel and thread on every line of the job, and never a credential', async () => {
    const bot = stack.bots[0]!;
    stack.anthropic.enqueue({ text: 'IAM roles hand out temporary credentials to whoever assumes them, so nothing long-lived is stored in code or on disk.', chunkSize: 6, tokenDelayMs: 40 });
    // An intermediate update that fails makes the publisher log a warning inside the job.
    stack.slack.failNext('chat.update', { error: 'internal_error' });
    const asked = await stack.mention(`<@${BOT_USER}> What is an IAM role?`);
    await stack.finalAnswer(asked);
    const jobId = `q-T0TEST-${GENERAL}-${asked.ts}`;
    const answered = await bot.waitForLog((log) => log.msg === 'answered' && log.jobId === jobId);

    const started = bot.logs.findIndex((log) => log.msg === 'answering' && log.jobId === jobId);
    expect(started).toBeGreaterThanOrEqual(0);
    // Everything the worker side wrote while the job ran (the web side's lines are Slack's requests).
    const during = bot.logs.slice(started, bot.logs.indexOf(answered) + 1).filter((log: LogRecord) => !['bolt', 'listeners'].includes(String(log.component)));
    expect(during.map((log) => log.msg)).toContain('intermediate update failed');
    for (const line of during) {
      expect(line, JSON.stringify(line)).toMatchObject({ jobId, teamId: 'T0TEST', channel: GENERAL, threadTs: asked.ts });
    }

    const output = bot.output();
    expect(output).toContain(jobId);
    for (const credential of CREDENTIALS) expect(output.includes(credential), `the logs show ${credential}`).toBe(false);
  });
});

describe('the queue dashboard', () => {
  const url = () => `${base}${DASHBOARD.path}`;

  it('refuses requests without the right credentials', async () => {
    const anonymous = await fetch(url());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await fetch(url(), { headers: { authorization: basic(DASHBOARD.user, 'wrong-password') } })).status).toBe(401);
    expect((await fetch(url(), { headers: { authorization: basic('someone', DASHBOARD.password) } })).status).toBe(401);
    expect((await fetch(`${url()}/api/queues`)).status).toBe(401);
  });

  it('serves the board and the answer queue with them', async () => {
    const authorization = basic(DASHBOARD.user, DASHBOARD.password);
    const page = await fetch(url(), { headers: { authorization } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${url()}/api/queues`, { headers: { authorization } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
    const answers = body.queues.find((queue) => queue.name === 'answers');
    expect(answers?.counts.completed).toBeGreaterThanOrEqual(1);
  });
});

describe('a worker running alone', () => {
  it('serves /healthz, /readyz and /metrics on its health port, and is not ready with a retired model', async () => {
    const worker = await onFreePort((port) => stack.startBot('worker', { WORKER_HEALTH_PORT: String(port), ANTHROPIC_MODEL: 'claude-3-haiku-20240307' }));
    try {
      const workerBase = `http://127.0.0.1:${worker.port}`;
      expect((await fetch(`${workerBase}/healthz`)).status).toBe(200);
      // The model is checked once at start-up; wait for that result.
      await worker.waitForLog((log) => /does not exist or was retired/.test(String(log.msg)));
      const ready = await fetch(`${workerBase}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'not_ready', checks: { redis: 'up', queue: 'usable', model: 'invalid' } });
      const metrics = await fetch(`${workerBase}/metrics`);
      expect(metrics.status).toBe(200);
      expect(parsePrometheus(await metrics.text()).helped.has('aws_orchestrator_queue_jobs')).toBe(true);
    } finally {
      await worker.kill('SIGKILL');
    }
  });
});

describe('GET /readyz', () => {
  it('is ready with Redis up and a current model, and fails while Redis is down', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'up', queue: 'usable', model: 'ok' } });

    await stack.redis.stop();
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'not_ready', checks: { redis: 'down', queue: 'unusable' } });
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    // Metrics still answer (without queue counts) so that the outage itself can be watched.
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(parsePrometheus(await metrics.text()).samples.some((sample) => sample.name === 'aws_orchestrator_queue_jobs')).toBe(false);
  });
});
