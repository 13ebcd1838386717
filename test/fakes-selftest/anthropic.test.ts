/**
 * The fake Anthropic API driven by the real @anthropic-ai/sdk: streaming, usage and stop reasons,
 * error statuses and types, a failure in the middle of a stream, validation and aborts; the rules
 * of each API version and model (Claude Haiku 5.5 and 4.5), thinking and effort, refusals, tool
 * use loops, thinking blocks passed back, token counts and the prompt cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { REFUSAL_EXPLANATIONS } from '../fakes/anthropic-rules.js';
import { fromToolResults, startFakeAnthropic, toolResultsOf, type FakeAnthropic } from '../fakes/anthropic.js';

let fake: FakeAnthropic;
/** A second fake with the non-default options: retired models in the catalogue, a default thinking time, binding on request. */
let other: FakeAnthropic;
let client: Anthropic;
let otherClient: Anthropic;
const MODEL = 'claude-haiku-4-5';
const HAIKU_55 = 'claude-haiku-5-5';
/** The bot sends this version when it sets a temperature; SDK 1.x sends 2026-10-21 by default. */
const V2023 = { headers: { 'anthropic-version': '2023-06-01' } };

beforeAll(async () => {
  [fake, other] = await Promise.all([
    startFakeAnthropic(),
    startFakeAnthropic({ retiredModelLookup: 'catalogue', timing: { thinkingMs: 30 }, thinkingBinding: 'on-request' }),
  ]);
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 });
  otherClient = new Anthropic({ apiKey: 'sk-ant-test', baseURL: other.url, maxRetries: 0 });
});

afterAll(async () => {
  await Promise.all([fake.close(), other.close()]);
});

/** SDK 1.x types no longer list the sampling parameters, though the 2023-06-01 API (and the bot) still send them. */
interface Sampling {
  temperature?: number;
  top_p?: number;
  top_k?: number;
}
const sampled = <T extends object>(params: T, sampling: Sampling): T => ({ ...params, ...sampling });

const ask = (text: string, extra: Partial<Anthropic.MessageStreamParams> = {}, sampling: Sampling = {}, options: Anthropic.RequestOptions = {}) =>
  client.messages.stream(sampled({ model: MODEL, max_tokens: 500, messages: [{ role: 'user', content: text }], ...extra }, sampling), options);

const ask55 = (text: string, extra: Partial<Anthropic.MessageStreamParams> = {}, sampling: Sampling = {}, options: Anthropic.RequestOptions = {}) =>
  ask(text, { model: HAIKU_55, ...extra }, sampling, options);

const rejection = async (promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Anthropic.APIError);
  return error as InstanceType<typeof Anthropic.APIError>;
};

/** The 400 a request gets, as the SDK surfaces it. */
const badRequest = async (promise: Promise<unknown>): Promise<string | null> => {
  const error = await rejection(promise);
  expect(error.status).toBe(400);
  expect(error.type).toBe('invalid_request_error');
  return error.apiMessage;
};

/** Every raw SSE event of a stream, by type (content events with their block or delta type). */
function eventLog(stream: ReturnType<typeof ask>): string[] {
  const log: string[] = [];
  stream.on('streamEvent', (event) => {
    if (event.type === 'content_block_start') log.push(`start:${event.index}:${event.content_block.type}`);
    else if (event.type === 'content_block_delta') log.push(`delta:${event.index}:${event.delta.type}`);
    else if (event.type === 'content_block_stop') log.push(`stop:${event.index}`);
    else log.push(event.type);
  });
  return log;
}

const collapse = (log: string[]): string[] => log.filter((entry, i) => entry !== log[i - 1]);

describe('fake Anthropic with the real SDK', () => {
  it('streams text deltas and ends with usage and stop_reason', async () => {
    fake.enqueue({ text: 'S3 stores objects in buckets. It is durable.', chunkSize: 6, ttftMs: 20, tokenDelayMs: 2 });
    const stream = ask('What is S3?', { system: 'You answer AWS questions.' }, { temperature: 0.2 }, V2023);
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const message = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('S3 stores objects in buckets. It is durable.');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('claude-haiku-4-5-20251001');
    expect(message.content.map((block) => block.type)).toEqual(['text']);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(Math.ceil('S3 stores objects in buckets. It is durable.'.length / 4));

    const request = fake.messageRequests().at(-1);
    expect(request?.body).toMatchObject({ model: MODEL, system: 'You answer AWS questions.', temperature: 0.2, stream: true });
    expect(request?.apiVersion).toBe('2023-06-01');
    // SDK 1.x sends the API key as a bearer token, not x-api-key.
    expect(request?.apiKey).toBe('sk-ant-test');
    expect(request?.tokenTimes).toHaveLength(deltas.length);
    expect(request?.thinking).toMatchObject({ mode: 'off', block: false, tokens: 0 });
    expect((request?.firstTokenAt ?? 0) - (request?.at ?? 0)).toBeGreaterThanOrEqual(15);
  });

  it('answers with the default responder quoting the last user message, cut at max_tokens', async () => {
    const full = await ask('How do I list buckets?').finalMessage();
    expect(full.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Answer to: How do I list buckets?') as unknown });
    const cut = await ask('How do I list buckets?', { max_tokens: 5 }).finalMessage();
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.usage.output_tokens).toBe(5);

    const whole = await client.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'plain' }] });
    expect(whole.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Answer to: plain') as unknown });
  });

  it('surfaces a 529 as an APIError with status 529 and type overloaded_error', async () => {
    fake.enqueue({ status: 529 });
    const error = await rejection(ask('busy?').finalMessage());
    expect(error.status).toBe(529);
    expect(error.type).toBe('overloaded_error');
    expect(error.requestID).toMatch(/^req_/);
  });

  it('sends retry-after and rate-limit headers with a 429', async () => {
    fake.enqueue({ status: 429, retryAfter: 12 });
    const error = await rejection(ask('again?').finalMessage());
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.headers?.get('retry-after')).toBe('12');
    expect(error.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
  });

  it('makes the stream reject when an error event arrives mid-stream, after the thinking block on Haiku 5.5', async () => {
    fake.enqueue({ midStreamError: { type: 'overloaded_error', message: 'Overloaded' }, afterChunks: 2, text: 'one two three four five', chunkSize: 4 });
    const deltas: string[] = [];
    const stream = ask('fail halfway');
    stream.on('text', (delta) => deltas.push(delta));
    const error = await rejection(stream.finalMessage());
    expect(error.type).toBe('overloaded_error');
    expect(deltas).toHaveLength(2);

    fake.enqueue({ midStreamError: { type: 'overloaded_error', message: 'Overloaded' }, afterChunks: 1, text: 'one two three', chunkSize: 4 });
    const thinkingFirst = ask55('fail after thinking');
    const log = eventLog(thinkingFirst);
    await rejection(thinkingFirst.finalMessage());
    // The SDK does not surface ping or error as stream events; the wire order is checked in 'thinking and effort'.
    expect(collapse(log)).toEqual(['message_start', 'start:0:thinking', 'delta:0:signature_delta', 'stop:0', 'start:1:text', 'delta:1:text_delta']);
  });

  it('holds a mid-stream error back until the test lets it go, the stream open meanwhile', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const holdErrorUntil = () => {
      held = true;
      return released;
    };
    fake.enqueue({ midStreamError: { type: 'overloaded_error', message: 'Overloaded' }, afterChunks: 2, text: 'one two three four five', chunkSize: 4, holdErrorUntil });
    const deltas: string[] = [];
    const stream = ask('fail when told');
    stream.on('text', (delta) => deltas.push(delta));
    let failed = false;
    const settled = rejection(stream.finalMessage()).finally(() => (failed = true));
    await fake.waitFor(() => held && deltas.length === 2);
    expect(failed).toBe(false);
    release();
    const error = await settled;
    expect(error.type).toBe('overloaded_error');
    expect(deltas).toHaveLength(2);
  });

  it('validates requests like the API', async () => {
    const retired = await rejection(client.messages.create({ model: 'claude-3-haiku-20240307', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
    expect(retired.status).toBe(404);
    expect(retired.type).toBe('not_found_error');
    expect(retired.apiMessage).toBe('model: claude-3-haiku-20240307');

    const both = await badRequest(
      client.messages.create(sampled({ model: MODEL, max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] }, { temperature: 0.5, top_p: 0.9 }), V2023),
    );
    expect(both).toBe('`temperature` and `top_p` cannot both be specified for this model. Please use only one.');

    const empty = await rejection(client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }));
    expect(empty.apiMessage).toBe('messages: text content blocks must be non-empty');

    const tooMany = await badRequest(ask55('hi', { max_tokens: 128_001 }).finalMessage());
    expect(tooMany).toBe('max_tokens: 128001 > 128000, which is the maximum allowed number of output tokens for claude-haiku-5-5');

    const noKey = await rejection(new Anthropic({ apiKey: 'wrong', baseURL: fake.url, maxRetries: 0 }).models.retrieve(MODEL));
    expect(noKey.status).toBe(401);
    expect(noKey.requestID).toMatch(/^req_/);
    await expect(client.models.retrieve(MODEL)).resolves.toMatchObject({ id: 'claude-haiku-4-5-20251001', type: 'model' });
    await expect(client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: '12345678' }] })).resolves.toEqual({ input_tokens: 2 });
  });

  it('writes and then reads the prompt cache for a long cached system prompt', async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'policy '.repeat(3000), cache_control: { type: 'ephemeral' } }];
    const first = await ask('q1', { system }).finalMessage();
    const second = await ask('q2', { system }).finalMessage();
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(4096);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
  });

  it('records an abort when the client gives up on a hanging answer', async () => {
    fake.enqueue({ hang: true, afterChunks: 1, text: 'partial answer' });
    const n = fake.messageRequests().length + 1;
    const stream = ask('hang');
    const request = await fake.waitForRequest(n);
    await fake.waitFor(() => request.firstTokenAt);
    stream.abort();
    await stream.done().catch(() => undefined);
    await fake.waitFor(() => request.aborted);
    expect(request.tokenTimes).toHaveLength(1);
  });
});

describe('models endpoint', () => {
  it('describes Claude Haiku 5.5 and 4.5 with limits and capabilities', async () => {
    const haiku55 = await client.models.retrieve(HAIKU_55);
    expect(haiku55).toMatchObject({
      type: 'model',
      id: HAIKU_55,
      display_name: 'Claude Haiku 5.5',
      max_input_tokens: 1_000_000,
      max_tokens: 128_000,
      lifecycle: 'active',
      line: 'haiku',
      capabilities: {
        effort: { supported: true, low: { supported: true }, xhigh: { supported: true }, max: { supported: true } },
        thinking: { supported: true, types: { adaptive: { supported: true }, enabled: { supported: false }, disabled: { supported: true } } },
      },
    });
    const haiku45 = await client.models.retrieve(MODEL);
    expect(haiku45).toMatchObject({ max_input_tokens: 200_000, max_tokens: 64_000, capabilities: { effort: { supported: false }, thinking: { types: { adaptive: { supported: false }, enabled: { supported: true } } } } });

    const models: string[] = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models[0]).toBe(HAIKU_55);
    expect(models).toContain('claude-haiku-4-5-20251001');
  });

  it('answers 404 not_found_error for unknown and retired models, or lists a retired one when asked to', async () => {
    for (const id of ['claude-haiku-5-5-20261007', 'claude-3-haiku-20240307']) {
      const error = await rejection(client.models.retrieve(id));
      expect(error.status).toBe(404);
      expect(error.type).toBe('not_found_error');
      expect(error.apiMessage).toBe(`model: ${id}`);
    }
    await expect(otherClient.models.retrieve('claude-3-haiku-20240307')).resolves.toMatchObject({ lifecycle: 'retired', capabilities: null });
  });
});

describe('API versions and sampling', () => {
  it('takes 2026-10-21 from the SDK by default and refuses any sampling parameter on it', async () => {
    await ask55('hello').finalMessage();
    expect(fake.messageRequests().at(-1)?.apiVersion).toBe('2026-10-21');
    for (const [model, sampling, field] of [
      [MODEL, { temperature: 0.7 }, 'temperature'],
      [HAIKU_55, { temperature: 1 }, 'temperature'],
      [MODEL, { top_p: 0.9 }, 'top_p'],
      [HAIKU_55, { top_k: 5 }, 'top_k'],
    ] as const) {
      expect(await badRequest(ask('hi', { model }, sampling).finalMessage())).toBe(`${field}: Extra inputs are not permitted`);
    }
    const unknownVersion = await badRequest(ask('hi', {}, {}, { headers: { 'anthropic-version': '2024-01-01' } }).finalMessage());
    expect(unknownVersion).toBe("anthropic-version: invalid version '2024-01-01'");
  });

  it('on 2023-06-01 lets Haiku 4.5 take a temperature from 0 to 1', async () => {
    await expect(ask('hi', {}, { temperature: 0.7 }, V2023).finalMessage()).resolves.toMatchObject({ stop_reason: 'end_turn' });
    await expect(ask('hi', {}, { top_p: 0.9 }, V2023).finalMessage()).resolves.toMatchObject({ stop_reason: 'end_turn' });
    expect(await badRequest(ask('hi', {}, { temperature: 1.5 }, V2023).finalMessage())).toBe('temperature: Input should be less than or equal to 1');
  });

  it('on 2023-06-01 allows Haiku 5.5 only temperature 1 or top_p 0.99, never both, and no top_k', async () => {
    await expect(ask55('hi', {}, { temperature: 1 }, V2023).finalMessage()).resolves.toMatchObject({ stop_reason: 'end_turn' });
    await expect(ask55('hi', {}, { top_p: 0.99 }, V2023).finalMessage()).resolves.toMatchObject({ stop_reason: 'end_turn' });
    expect(await badRequest(ask55('hi', {}, { temperature: 0.7 }, V2023).finalMessage())).toBe('`temperature` is deprecated for this model.');
    expect(await badRequest(ask55('hi', {}, { top_p: 1 }, V2023).finalMessage())).toBe('`top_p` is deprecated for this model.');
    expect(await badRequest(ask55('hi', {}, { top_k: 5 }, V2023).finalMessage())).toBe('`top_k` is deprecated for this model.');
    expect(await badRequest(ask55('hi', {}, { temperature: 1, top_p: 0.99 }, V2023).finalMessage())).toBe(
      '`temperature` and `top_p` cannot both be specified for this model. Please use only one.',
    );
  });
});

describe('thinking and effort', () => {
  it('opens a Haiku 5.5 answer with an omitted thinking block, then streams the text at index 1', async () => {
    const text = 'Use an IAM role for the task.';
    fake.enqueue({ text, chunkSize: 6 });
    const stream = ask55('How should my ECS task get credentials?');
    const log = eventLog(stream);
    const message = await stream.finalMessage();

    expect(collapse(log)).toEqual(['message_start', 'start:0:thinking', 'delta:0:signature_delta', 'stop:0', 'start:1:text', 'delta:1:text_delta', 'stop:1', 'message_delta', 'message_stop']);
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    const [thinking, answer] = message.content;
    expect(thinking).toMatchObject({ type: 'thinking', thinking: '', signature: expect.stringMatching(/^[\d+/=a-z]{100,}$/i) as unknown });
    expect(answer).toMatchObject({ type: 'text', text });
    // Medium effort (the default) thinks 64 tokens; the text costs 1.3× what it would on Haiku 4.5.
    expect(message.usage.output_tokens_details).toEqual({ thinking_tokens: 64 });
    expect(message.usage.output_tokens).toBe(64 + Math.ceil((text.length * 1.3) / 4));
    expect(message.model).toBe(HAIKU_55);
    expect(fake.messageRequests().at(-1)?.thinking).toEqual({ mode: 'adaptive', display: 'omitted', effort: 'medium', block: true, tokens: 64 });
  });

  it('sends the wire events in the API order, ping after the first content_block_start', async () => {
    fake.enqueue({ text: 'Hi there.' });
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2026-10-21' },
      body: JSON.stringify({ model: HAIKU_55, max_tokens: 200, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(collapse(events.filter((event): event is string => event !== undefined))).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('streams thinking_delta events first with display "summarized", and none when thinking is off or skipped', async () => {
    fake.enqueue({ text: 'Rotate the key.', thinking: 'The user leaked a key; rotation comes first.' });
    const summarized = ask55('I leaked a key', { thinking: { type: 'adaptive', display: 'summarized' } });
    const log = eventLog(summarized);
    const thought: string[] = [];
    summarized.on('thinking', (delta) => thought.push(delta));
    const message = await summarized.finalMessage();
    expect(collapse(log).slice(0, 5)).toEqual(['message_start', 'start:0:thinking', 'delta:0:thinking_delta', 'delta:0:signature_delta', 'stop:0']);
    expect(thought.join('')).toBe('The user leaked a key; rotation comes first.');
    expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: 'The user leaked a key; rotation comes first.' });

    const disabled = await ask55('hi', { thinking: { type: 'disabled' } }).finalMessage();
    expect(disabled.content.map((block) => block.type)).toEqual(['text']);
    expect(disabled.usage.output_tokens_details).toBeNull();
    expect(fake.messageRequests().at(-1)?.thinking).toMatchObject({ mode: 'disabled', block: false });

    fake.enqueue({ text: 'Yes.', thinking: false });
    const skipped = await ask55('Is S3 regional?').finalMessage();
    expect(skipped.content.map((block) => block.type)).toEqual(['text']);

    const low = await ask55('hi', { output_config: { effort: 'low' } }).finalMessage();
    expect(low.usage.output_tokens_details).toEqual({ thinking_tokens: 32 });
  });

  it('spends a thinking phase of thinkingMs before the first text delta', async () => {
    fake.enqueue({ text: 'Done thinking.', thinkingMs: 40 });
    await ask55('think for a while').finalMessage();
    const request = fake.messageRequests().at(-1)!;
    expect(request.thinkingStartedAt).toBeDefined();
    // Timers never fire early by more than a millisecond of rounding, so this lower bound is safe.
    expect(request.thinkingEndedAt! - request.thinkingStartedAt!).toBeGreaterThanOrEqual(38);
    expect(request.tokenTimes[0]).toBeGreaterThanOrEqual(request.thinkingEndedAt!);

    // The same phase from a fake's default timing.
    await otherClient.messages.stream({ model: HAIKU_55, max_tokens: 100, messages: [{ role: 'user', content: 'default thinking time' }] }).finalMessage();
    const timed = other.messageRequests().at(-1)!;
    expect(timed.thinkingEndedAt! - timed.thinkingStartedAt!).toBeGreaterThanOrEqual(28);
  });

  it('stops at max_tokens after the thinking block and before any text when max_tokens is small', async () => {
    const message = await ask55('Explain VPC peering', { max_tokens: 40 }).finalMessage();
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content.map((block) => block.type)).toEqual(['thinking']);
    expect(message.usage.output_tokens).toBe(40);
  });

  it('refuses thinking and effort settings Haiku 5.5 does not take', async () => {
    expect(await badRequest(ask55('hi', { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 4096 }).finalMessage())).toBe(
      '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
    );
    const withBudget = { type: 'adaptive', budget_tokens: 2048 } as unknown as Anthropic.ThinkingConfigParam;
    expect(await badRequest(ask55('hi', { thinking: withBudget }).finalMessage())).toBe('thinking.adaptive.budget_tokens: Extra inputs are not permitted');
    expect(await badRequest(ask55('hi', { thinking: { type: 'disabled' }, output_config: { effort: 'xhigh' } }).finalMessage())).toBe(
      "output_config.effort 'xhigh' is not supported when thinking is disabled on this model. Use effort 'high' or below, or enable thinking.",
    );
    await expect(ask55('hi', { thinking: { type: 'disabled' }, output_config: { effort: 'high' } }).finalMessage()).resolves.toMatchObject({ stop_reason: 'end_turn' });
    const extreme = { effort: 'extreme' } as unknown as Anthropic.OutputConfig;
    expect(await badRequest(ask55('hi', { output_config: extreme }).finalMessage())).toBe("output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'");
    // Max effort thinks 512 tokens by default: room must be left for the answer.
    await expect(ask55('hi', { output_config: { effort: 'max' }, max_tokens: 2000 }).finalMessage()).resolves.toMatchObject({ stop_reason: 'end_turn' });
  });

  it('gives Haiku 4.5 manual thinking only, with summarized thinking, and no effort', async () => {
    expect(await badRequest(ask('hi', { thinking: { type: 'adaptive' } }).finalMessage())).toBe('adaptive thinking is not supported on this model');
    expect(await badRequest(ask('hi', { output_config: { effort: 'low' } }).finalMessage())).toBe('This model does not support the effort parameter.');
    expect(await badRequest(ask('hi', { thinking: { type: 'enabled', budget_tokens: 512 }, max_tokens: 4096 }).finalMessage())).toBe(
      'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
    );
    expect(await badRequest(ask('hi', { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 2048 }).finalMessage())).toMatch(
      /^`max_tokens` must be greater than `thinking.budget_tokens`/,
    );
    expect(await badRequest(ask('hi', { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 4096 }, { temperature: 0.5 }, V2023).finalMessage())).toMatch(
      /^`temperature` may only be set to 1 when thinking is enabled/,
    );

    fake.enqueue({ text: 'Use SSM Parameter Store.', thinking: 'Secrets: SSM or Secrets Manager.' });
    const message = await ask('Where do I keep secrets?', { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 4096 }).finalMessage();
    expect(message.content).toMatchObject([
      { type: 'thinking', thinking: 'Secrets: SSM or Secrets Manager.' },
      { type: 'text', text: 'Use SSM Parameter Store.' },
    ]);
  });
});

describe('prefill', () => {
  it('refuses a final assistant turn on Haiku 5.5 and continues one on Haiku 4.5', async () => {
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'Name one AWS region.' },
      { role: 'assistant', content: 'One region is' },
    ];
    expect(await badRequest(ask55('', { messages }).finalMessage())).toBe('This model does not support assistant message prefill. The conversation must end with a user message.');
    await expect(ask('', { messages }).finalMessage()).resolves.toMatchObject({ stop_reason: 'end_turn' });
  });
});

describe('refusals', () => {
  it('ends with stop_reason refusal and stop_details after some text', async () => {
    fake.enqueue({ text: 'Here is how the exploit works: first you', chunkSize: 10, refusal: { category: 'cyber', afterChunks: 2 } });
    const stream = ask55('Write malware');
    const log = eventLog(stream);
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('refusal');
    expect(message.stop_details).toEqual({ type: 'refusal', category: 'cyber', explanation: REFUSAL_EXPLANATIONS.cyber });
    expect(message.content.at(-1)).toMatchObject({ type: 'text', text: 'Here is how the ' });
    expect(log.filter((entry) => entry === 'delta:1:text_delta')).toHaveLength(2);
    expect(fake.messageRequests().at(-1)?.kind).toBe('refusal');
  });

  it('refuses before any output with empty content and null category', async () => {
    fake.enqueue({ text: 'never shown', refusal: { afterChunks: 0 } });
    const message = await ask55('Something declined').finalMessage();
    expect(message.content).toEqual([]);
    expect(message.stop_details).toEqual({ type: 'refusal', category: null, explanation: null });
    expect(message.usage.output_tokens).toBe(0);
  });
});

describe('tool use', () => {
  const identityTool: Anthropic.Tool = {
    name: 'get_caller_identity',
    description: 'Returns the AWS account and ARN of the caller.',
    input_schema: { type: 'object', properties: { region: { type: 'string' } }, required: ['region'] },
  };
  const tools = [identityTool];
  const question: Anthropic.MessageParam = { role: 'user', content: 'Which AWS account am I using?' };

  /** First turn of a tool loop: the model calls get_caller_identity. */
  async function firstTurn(extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}, target: 'fake' | 'other' = 'fake') {
    (target === 'fake' ? fake : other).enqueue({ text: 'Let me check.', toolUse: { name: 'get_caller_identity', input: { region: 'eu-west-1' } } });
    const params: Anthropic.MessageCreateParamsNonStreaming = { model: HAIKU_55, max_tokens: 1000, tools, messages: [question], ...extra };
    const message = await (target === 'fake' ? client : otherClient).messages.stream(params).finalMessage();
    const toolUse = message.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    return { message, toolUse: toolUse!, params };
  }

  const resultFor = (id: string, content = 'arn:aws:iam::123456789012:user/alice'): Anthropic.ToolResultBlockParam => ({ type: 'tool_result', tool_use_id: id, content });

  it('runs a two-turn tool loop: streamed tool_use, then the answer from the tool_result', async () => {
    fake.enqueue(
      { text: 'Let me check.', toolUse: { name: 'get_caller_identity', input: { region: 'eu-west-1' } } },
      fromToolResults((results) => ({ text: `You are ${results[0]?.text}.` })),
    );
    const stream = client.messages.stream({ model: HAIKU_55, max_tokens: 1000, tools, messages: [question] });
    const inputPieces: string[] = [];
    stream.on('inputJson', (piece) => inputPieces.push(piece));
    const log = eventLog(stream);
    const first = await stream.finalMessage();

    expect(first.stop_reason).toBe('tool_use');
    expect(first.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use']);
    const toolUse = first.content[2] as Anthropic.ToolUseBlock;
    expect(toolUse).toMatchObject({ name: 'get_caller_identity', input: { region: 'eu-west-1' }, id: expect.stringMatching(/^toolu_01/) as unknown });
    expect(inputPieces.length).toBeGreaterThan(2);
    expect(collapse(log).slice(-5)).toEqual(['start:2:tool_use', 'delta:2:input_json_delta', 'stop:2', 'message_delta', 'message_stop']);
    expect(fake.messageRequests().at(-1)?.toolUses).toEqual([{ id: toolUse.id, name: 'get_caller_identity', input: { region: 'eu-west-1' } }]);

    const second = await client.messages
      .stream({ model: HAIKU_55, max_tokens: 1000, tools, messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [resultFor(toolUse.id)] }] })
      .finalMessage();
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content.find((block) => block.type === 'text')).toMatchObject({ text: 'You are arn:aws:iam::123456789012:user/alice.' });
    expect(toolResultsOf(fake.messageRequests().at(-1)?.body)).toEqual([
      { toolUseId: toolUse.id, text: 'arn:aws:iam::123456789012:user/alice', isError: false, block: resultFor(toolUse.id) },
    ]);
  });

  it('requires tool_result blocks first in the next user turn, for exactly the tool_use ids', async () => {
    const { message, toolUse, params } = await firstTurn();
    const assistant: Anthropic.MessageParam = { role: 'assistant', content: message.content };
    const send = (next: Anthropic.MessageParam['content']) => client.messages.create({ ...params, messages: [question, assistant, { role: 'user', content: next }] });
    const missing = `messages.1: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${toolUse.id}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;

    expect(await badRequest(send('What did it say?'))).toBe(missing);
    expect(await badRequest(send([{ type: 'text', text: 'Here are the results:' }, resultFor(toolUse.id)]))).toBe(missing);
    expect(await badRequest(send([resultFor(toolUse.id), resultFor('toolu_01Unknown')]))).toBe(
      'messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_01Unknown. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    );
    const video = { type: 'video', url: 'x' } as unknown as Anthropic.TextBlockParam;
    expect(await badRequest(send([{ type: 'tool_result', tool_use_id: toolUse.id, content: [video] }]))).toBe(
      "messages.2.content.0.content.0: Input tag 'video' found using 'type' does not match any of the expected tags: 'text', 'image', 'search_result', 'document'",
    );
    expect(await badRequest(client.messages.create({ ...params, messages: [{ role: 'user', content: [resultFor(toolUse.id)] }] }))).toMatch(
      /^messages\.0\.content\.0: unexpected `tool_use_id` found in `tool_result` blocks/,
    );
    // An error result with text after it is fine.
    await expect(send([{ ...resultFor(toolUse.id, 'AccessDenied'), is_error: true }, { type: 'text', text: 'Try another way.' }])).resolves.toMatchObject({ stop_reason: 'end_turn' });
  });

  it('validates tool definitions and tool_choice', async () => {
    const create = (extra: Partial<Anthropic.MessageCreateParamsNonStreaming>) =>
      client.messages.create({ model: HAIKU_55, max_tokens: 100, messages: [question], ...extra });
    expect(await badRequest(create({ tools: [{ ...identityTool, name: 'aws.sts' }] }))).toBe("tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
    expect(await badRequest(create({ tools: [identityTool, identityTool] }))).toBe('tools: Tool names must be unique.');
    const noSchema = { name: 'x' } as unknown as Anthropic.Tool;
    expect(await badRequest(create({ tools: [noSchema] }))).toBe('tools.0.custom.input_schema: Field required');
    const arraySchema = { name: 'x', input_schema: { type: 'array' } } as unknown as Anthropic.Tool;
    expect(await badRequest(create({ tools: [arraySchema] }))).toBe("tools.0.custom.input_schema.type: Input should be 'object'");
    expect(await badRequest(create({ tool_choice: { type: 'any' } }))).toBe('tool_choice may only be specified while providing tools.');
    expect(await badRequest(create({ tools, tool_choice: { type: 'tool', name: 'describe_instances' } }))).toBe(
      "tool_choice.tool.name: Tool 'describe_instances' not found in provided tools",
    );
    expect(
      await badRequest(
        client.messages.create({ model: MODEL, max_tokens: 4096, tools, tool_choice: { type: 'any' }, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [question] }),
      ),
    ).toBe('Thinking may not be enabled when tool_choice forces tool use.');
    // Haiku 5.5 takes a forced tool: the answer starts with the call, without thinking.
    const { message } = await firstTurn({ tool_choice: { type: 'tool', name: 'get_caller_identity' } });
    expect(message.content[0]?.type).not.toBe('thinking');
  });

  it('checks thinking blocks passed back: issued here, unchanged, first, and behind the same conversation', async () => {
    const { message, toolUse, params } = await firstTurn({ thinking: { type: 'adaptive', display: 'summarized' } });
    const thinking = message.content[0] as Anthropic.ThinkingBlock;
    expect(thinking.thinking).not.toBe('');
    const rest = message.content.slice(1);
    const send = (assistantContent: Anthropic.ContentBlockParam[], extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
      client.messages.create({ ...params, messages: [question, { role: 'assistant', content: assistantContent }, { role: 'user', content: [resultFor(toolUse.id)] }], ...extra });

    expect(await badRequest(send([{ ...thinking, thinking: 'I changed my mind.' }, ...rest]))).toBe(
      'messages.1.content.0: `thinking` or `redacted_thinking` blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.',
    );
    expect(await badRequest(send([{ ...thinking, signature: 'Zm9yZ2Vk' }, ...rest]))).toBe('messages.1.content.0: Invalid `signature` in `thinking` block');
    expect(await badRequest(send([...rest, thinking]))).toBe(
      'messages.1.content.0: If an assistant message contains any thinking blocks, the first block must be `thinking` or `redacted_thinking`. Found `text`.',
    );
    expect(await badRequest(send(message.content, { system: 'A system prompt added after the fact.' }))).toBe(
      'messages.1.content.0: Invalid `signature` in `thinking` block. The block is bound to a different conversation.',
    );
    const dropBlock = { type: 'adaptive', block_binding: { prefix_mismatch_behavior: 'drop_block' } } as unknown as Anthropic.ThinkingConfigParam;
    await expect(send(message.content, { system: 'A system prompt added after the fact.', thinking: dropBlock })).resolves.toMatchObject({ stop_reason: 'end_turn' });
    // Adaptive thinking does not require the turn to keep its thinking block.
    await expect(send(rest)).resolves.toMatchObject({ stop_reason: 'end_turn' });
    await expect(send(message.content)).resolves.toMatchObject({ stop_reason: 'end_turn' });

    // An account created before the binding cut-off gets the binding error only when it asks for it.
    const older = await firstTurn({}, 'other');
    const changed = { ...older.params, system: 'Changed.', messages: [question, { role: 'assistant' as const, content: older.message.content }, { role: 'user' as const, content: [resultFor(older.toolUse.id)] }] };
    await expect(otherClient.messages.create(changed)).resolves.toMatchObject({ stop_reason: 'end_turn' });
    const errorMode = { type: 'adaptive', block_binding: { prefix_mismatch_behavior: 'error' } } as unknown as Anthropic.ThinkingConfigParam;
    expect(await badRequest(otherClient.messages.create({ ...changed, thinking: errorMode }))).toMatch(/bound to a different conversation/);
  });

  it('requires the thinking block in a manual-thinking tool loop on Haiku 4.5', async () => {
    const thinking: Anthropic.ThinkingConfigParam = { type: 'enabled', budget_tokens: 2048 };
    fake.enqueue({ toolUse: { name: 'get_caller_identity', input: { region: 'us-east-1' } } });
    const params: Anthropic.MessageCreateParamsNonStreaming = { model: MODEL, max_tokens: 4096, tools, thinking, messages: [question] };
    const first = await client.messages.stream(params).finalMessage();
    expect(first.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
    const toolUse = first.content[1] as Anthropic.ToolUseBlock;
    const next = (content: Anthropic.ContentBlockParam[]) =>
      client.messages.create({ ...params, messages: [question, { role: 'assistant', content }, { role: 'user', content: [resultFor(toolUse.id)] }] });
    expect(await badRequest(next([toolUse]))).toMatch(/^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`\. When `thinking` is enabled/);
    await expect(next(first.content)).resolves.toMatchObject({ stop_reason: 'end_turn' });
  });
});

describe('tokens and prompt cache per model', () => {
  it('counts about 30% more tokens for the same text on Haiku 5.5', async () => {
    const content = 'x'.repeat(1000);
    const legacy = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content }] });
    const newer = await client.messages.countTokens({ model: HAIKU_55, messages: [{ role: 'user', content }] });
    expect(legacy.input_tokens).toBe(250);
    expect(newer.input_tokens).toBe(325);
    const answered = await ask55(content, { thinking: { type: 'disabled' } }).finalMessage();
    expect(answered.usage.input_tokens).toBe(325);
  });

  it('caches a 512-token prefix on Haiku 5.5 that is below the 4096-token minimum of Haiku 4.5', async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'runbook '.repeat(300), cache_control: { type: 'ephemeral' } }];
    const newer = await ask55('q', { system }).finalMessage();
    const legacy = await ask('q', { system }).finalMessage();
    expect(newer.usage.cache_creation_input_tokens).toBeGreaterThan(512);
    expect(legacy.usage.cache_creation_input_tokens).toBe(0);
  });
});
