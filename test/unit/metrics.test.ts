import { describe, expect, it } from 'vitest';
import type { FetchFunction } from '@slack/web-api';
import { classifySlackRequest } from '../../src/core/slack-request-kind.js';
import { DEFAULT_PRICES } from '../../src/core/prices.js';
import { Metrics } from '../../src/ops/metrics.js';
import { countedFetch, slackMethodOf } from '../../src/publish/counted-fetch.js';
import { parsePrometheus } from '../support/prometheus.js';

/** One registry for the file: each test reads what it changed as a difference. */
const metrics = new Metrics(DEFAULT_PRICES);
async function read(): Promise<ReturnType<typeof parsePrometheus>> {
  return parsePrometheus(await metrics.registry.metrics());
}

const usage = { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 1000, cacheWriteTokens: 0 };

describe('the metrics registry', () => {
  it('defines every metric once, prefixed, with help text', async () => {
    const all = await metrics.registry.getMetricsAsJSON();
    expect(all.length).toBe(metrics.definedCount);
    for (const metric of all) {
      expect(metric.name).toMatch(/^aws_orchestrator_/);
      expect(metric.help.length, metric.name).toBeGreaterThan(20);
    }
  });
});

describe('model requests', () => {
  it('times the first text only, counts tokens by type and prices them', async () => {
    const before = await read();
    const call = metrics.requestStarted('claude-haiku-4-5');
    call.firstText();
    call.firstText();
    call.succeeded(usage);
    const after = await read();
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    const model = { model: 'claude-haiku-4-5' };
    expect(delta('aws_orchestrator_model_requests_total', model)).toBe(1);
    expect(delta('aws_orchestrator_model_first_token_seconds_count', model)).toBe(1);
    expect(delta('aws_orchestrator_model_tokens_total', { ...model, type: 'input' })).toBe(1200);
    expect(delta('aws_orchestrator_model_tokens_total', { ...model, type: 'output' })).toBe(300);
    expect(delta('aws_orchestrator_model_tokens_total', { ...model, type: 'cache_read' })).toBe(1000);
    // Haiku 4.5 list prices: $1 input, $5 output, $0.10 cache reads per million tokens.
    expect(delta('aws_orchestrator_model_cost_usd_total', model)).toBeCloseTo((1200 * 1 + 300 * 5 + 1000 * 0.1) / 1e6, 9);
  });

  it('counts failures by error type, and prices nothing for a model without a price', async () => {
    const before = await read();
    const call = metrics.requestStarted('claude-unknown-9');
    call.failed('overloaded');
    metrics.requestStarted('claude-unknown-9').succeeded(usage);
    const after = await read();
    expect(after.value('aws_orchestrator_model_errors_total', { model: 'claude-unknown-9', type: 'overloaded' }) - before.value('aws_orchestrator_model_errors_total', { model: 'claude-unknown-9', type: 'overloaded' })).toBe(1);
    expect(after.value('aws_orchestrator_model_cost_usd_total', { model: 'claude-unknown-9' })).toBe(0);
  });
});

describe('answers and queue waits', () => {
  it('measure from Slack delivering the question, and skip first-visible text for failures', async () => {
    const before = await read();
    const receivedAt = 1_000_000;
    metrics.answered({ source: 'dm', receivedAt }, { status: 'answered', firstVisibleAt: receivedAt + 1500, finishedAt: receivedAt + 4000 });
    metrics.answered({ source: 'dm', receivedAt }, { status: 'failed', firstVisibleAt: receivedAt + 900, finishedAt: receivedAt + 900 });
    metrics.jobStarted('question', receivedAt, receivedAt + 30);
    const after = await read();
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(delta('aws_orchestrator_answers_total', { source: 'dm', status: 'answered' })).toBe(1);
    expect(delta('aws_orchestrator_answers_total', { source: 'dm', status: 'failed' })).toBe(1);
    expect(delta('aws_orchestrator_answer_duration_seconds_sum', { source: 'dm', status: 'answered' })).toBeCloseTo(4, 6);
    expect(delta('aws_orchestrator_answer_first_visible_seconds_count', { source: 'dm' })).toBe(1);
    expect(delta('aws_orchestrator_answer_first_visible_seconds_sum', { source: 'dm' })).toBeCloseTo(1.5, 6);
    // 30 ms lands in the 0.05 s bucket, not in the 0.025 s one.
    expect(delta('aws_orchestrator_queue_wait_seconds_bucket', { kind: 'question', le: '0.025' })).toBe(0);
    expect(delta('aws_orchestrator_queue_wait_seconds_bucket', { kind: 'question', le: '0.05' })).toBe(1);
  });
});

describe('reuse, tools, refusals and votes', () => {
  it('count cache hits, shared answers, tool calls, refusals and feedback votes', async () => {
    const before = await read();
    const answered = { status: 'answered', finishedAt: 5 };
    metrics.answered({ source: 'mention', receivedAt: 0 }, { ...answered, servedFrom: 'cache' });
    metrics.answered({ source: 'mention', receivedAt: 0 }, { ...answered, servedFrom: 'shared' });
    metrics.answered({ source: 'mention', receivedAt: 0 }, answered);
    metrics.toolFinished('aws_docs__search_documentation', false, 250);
    metrics.toolFinished('aws_docs__search_documentation', true, 20_000);
    metrics.refused('claude-haiku-5-5', 'cyber');
    metrics.voted('up');
    const after = await read();
    const delta = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
    expect(delta('aws_orchestrator_answer_cache_hits_total')).toBe(1);
    expect(delta('aws_orchestrator_answers_shared_total')).toBe(1);
    expect(delta('aws_orchestrator_feedback_votes_total', { vote: 'up' })).toBe(1);
    expect(delta('aws_orchestrator_tool_calls_total', { tool: 'aws_docs__search_documentation', outcome: 'ok' })).toBe(1);
    expect(delta('aws_orchestrator_tool_calls_total', { tool: 'aws_docs__search_documentation', outcome: 'error' })).toBe(1);
    expect(delta('aws_orchestrator_model_refusals_total', { model: 'claude-haiku-5-5', category: 'cyber' })).toBe(1);
  });
});

describe('countedFetch (the Slack Web API hook)', () => {
  const respond = (status: number): FetchFunction => async () => new Response('{"ok":true}', { status });

  it('counts calls by method and status, and 429s separately', async () => {
    const before = await read();
    await countedFetch(metrics.slackApiCall, respond(200))('https://slack.com/api/chat.postMessage', { method: 'POST' });
    await countedFetch(metrics.slackApiCall, respond(429))('https://slack.com/api/chat.update', { method: 'POST' });
    await expect(countedFetch(metrics.slackApiCall, async () => Promise.reject(new Error('ECONNRESET')))('http://127.0.0.1:9/api/conversations.replies')).rejects.toThrow('ECONNRESET');
    const after = await read();
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(delta('aws_orchestrator_slack_api_calls_total', { method: 'chat.postMessage', status: '200' })).toBe(1);
    expect(delta('aws_orchestrator_slack_api_calls_total', { method: 'chat.update', status: '429' })).toBe(1);
    expect(delta('aws_orchestrator_slack_api_rate_limited_total', { method: 'chat.update' })).toBe(1);
    expect(delta('aws_orchestrator_slack_api_rate_limited_total', { method: 'chat.postMessage' })).toBe(0);
    expect(delta('aws_orchestrator_slack_api_calls_total', { method: 'conversations.replies', status: 'network_error' })).toBe(1);
  });

  it('names the method from the URL, and anything odd as one label', () => {
    expect(slackMethodOf('https://slack.com/api/chat.startStream')).toBe('chat.startStream');
    expect(slackMethodOf(new URL('http://127.0.0.1:4000/api/auth.test?x=1'))).toBe('auth.test');
    expect(slackMethodOf('https://slack.com/api/')).toBe('other');
    expect(slackMethodOf('https://slack.com/api/%3Cscript%3E')).toBe('other');
  });
});

describe('classifySlackRequest', () => {
  it('names events, commands, actions, views and shortcuts', () => {
    expect(classifySlackRequest({ type: 'event_callback', event: { type: 'app_mention' } })).toEqual({ kind: 'event', name: 'app_mention' });
    expect(classifySlackRequest({ command: '/aws', text: 'hi' })).toEqual({ kind: 'command', name: '/aws' });
    expect(classifySlackRequest({ type: 'block_actions', actions: [{ action_id: 'answer_retry' }] })).toEqual({ kind: 'action', name: 'answer_retry' });
    expect(classifySlackRequest({ type: 'view_submission', view: { callback_id: 'settings' } })).toEqual({ kind: 'view', name: 'settings' });
    expect(classifySlackRequest({ type: 'shortcut', callback_id: 'ask_aws' })).toEqual({ kind: 'shortcut', name: 'ask_aws' });
    expect(classifySlackRequest({ type: 'block_suggestion', action_id: 'pick_region' })).toEqual({ kind: 'options', name: 'pick_region' });
  });

  it('never turns free text into a label', () => {
    expect(classifySlackRequest({ type: 'block_actions', actions: [{ action_id: 'has spaces and <html>' }] })).toEqual({ kind: 'action', name: 'other' });
    expect(classifySlackRequest({ type: 'event_callback', event: { type: 'x'.repeat(100) } })).toEqual({ kind: 'event', name: 'other' });
    expect(classifySlackRequest('garbage')).toEqual({ kind: 'other', name: 'other' });
    expect(classifySlackRequest(null)).toEqual({ kind: 'other', name: 'other' });
  });
});
