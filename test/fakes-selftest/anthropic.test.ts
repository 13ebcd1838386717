/**
 * The fake Anthropic API driven by the real @anthropic-ai/sdk: streaming, usage and stop reasons,
 * error statuses and types, a failure in the middle of a stream, validation and aborts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';

let fake: FakeAnthropic;
let client: Anthropic;
const MODEL = 'claude-haiku-4-5';

beforeAll(async () => {
  fake = await startFakeAnthropic();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 });
});

afterAll(async () => {
  await fake.close();
});

/** SDK 1.x types no longer list the sampling parameters, though the API (and the bot) still send them. */
interface Sampling {
  temperature?: number;
  top_p?: number;
}
const sampled = <T extends object>(params: T, sampling: Sampling): T => ({ ...params, ...sampling });

const ask = (text: string, extra: Partial<Anthropic.MessageStreamParams> = {}, sampling: Sampling = {}) =>
  client.messages.stream(sampled({ model: MODEL, max_tokens: 500, messages: [{ role: 'user', content: text }], ...extra }, sampling));

const rejection = async (promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Anthropic.APIError);
  return error as InstanceType<typeof Anthropic.APIError>;
};

describe('fake Anthropic with the real SDK', () => {
  it('streams text deltas and ends with usage and stop_reason', async () => {
    fake.enqueue({ text: 'S3 stores objects in buckets. It is durable.', chunkSize: 6, ttftMs: 20, tokenDelayMs: 2 });
    const stream = ask('What is S3?', { system: 'You answer AWS questions.' }, { temperature: 0.2 });
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const message = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('S3 stores objects in buckets. It is durable.');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('claude-haiku-4-5-20251001');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(Math.ceil('S3 stores objects in buckets. It is durable.'.length / 4));

    const request = fake.messageRequests().at(-1);
    expect(request?.body).toMatchObject({ model: MODEL, system: 'You answer AWS questions.', temperature: 0.2, stream: true });
    // SDK 1.x sends the API key as a bearer token, not x-api-key.
    expect(request?.apiKey).toBe('sk-ant-test');
    expect(request?.tokenTimes).toHaveLength(deltas.length);
    expect((request?.firstTokenAt ?? 0) - (request?.at ?? 0)).toBeGreaterThanOrEqual(15);
  });

  it('answers with the default responder quoting the last user message, cut at max_tokens', async () => {
    const full = await ask('How do I list buckets?').finalMessage();
    expect(full.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Answer to: How do I list buckets?') });
    const cut = await ask('How do I list buckets?', { max_tokens: 5 }).finalMessage();
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.usage.output_tokens).toBe(5);

    const whole = await client.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'plain' }] });
    expect(whole.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Answer to: plain') });
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

  it('makes the stream reject when an error event arrives mid-stream', async () => {
    fake.enqueue({ midStreamError: { type: 'overloaded_error', message: 'Overloaded' }, afterChunks: 2, text: 'one two three four five' , chunkSize: 4 });
    const deltas: string[] = [];
    const stream = ask('fail halfway');
    stream.on('text', (delta) => deltas.push(delta));
    const error = await rejection(stream.finalMessage());
    expect(error.type).toBe('overloaded_error');
    expect(deltas).toHaveLength(2);
  });

  it('validates requests like the API', async () => {
    const retired = await rejection(client.messages.create({ model: 'claude-3-haiku-20240307', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
    expect(retired.status).toBe(404);
    expect(retired.type).toBe('not_found_error');
    expect(retired.apiMessage).toBe('model: claude-3-haiku-20240307');

    const both = await rejection(
      client.messages.create(sampled({ model: MODEL, max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] }, { temperature: 0.5, top_p: 0.9 })),
    );
    expect(both.status).toBe(400);
    expect(both.type).toBe('invalid_request_error');

    const empty = await rejection(client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }));
    expect(empty.apiMessage).toBe('messages: text content blocks must be non-empty');

    const noKey = await rejection(new Anthropic({ apiKey: 'wrong', baseURL: fake.url, maxRetries: 0 }).models.retrieve(MODEL));
    expect(noKey.status).toBe(401);
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
