import { readdirSync, readFileSync } from 'node:fs';
import { getTokenizer } from '@anthropic-ai/tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/core/token-estimate.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';

/**
 * The history budget relies on estimateTokens never counting fewer tokens than the model will.
 * The reference is a real Claude BPE tokenizer (@anthropic-ai/tokenizer: Anthropic's published
 * tokenizer; newer models' vocabularies differ, so a margin is required, not equality) on real
 * answers and on the dense text that fools a characters-per-token rule; and the API's
 * count_tokens (here the fake's) for whole requests.
 */
const CORPUS_DIR = new URL('./corpus/', import.meta.url);
const corpus = readdirSync(CORPUS_DIR)
  .filter((name) => name.endsWith('.md'))
  .map((name) => [name, readFileSync(new URL(name, CORPUS_DIR), 'utf8')] as const);

const DENSE: ReadonlyArray<readonly [string, string]> = [
  ['minified JSON', JSON.stringify({ a: [1, 2, 3], b: { c: 'd', e: [{ f: 1 }, { g: 2 }] }, h: 'i', j: null, k: true })],
  ['CJK', '你好，我想知道如何在AWS上设置ECS集群。请告诉我步骤。日本語のテキストもあります。'],
  ['emoji', '🚀🔥✅❌👍👎 deploy done 🎉🎉🎉'],
  ['hex digest', 'a3f9c2e1b7d84f6a9e0c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f'],
  ['base64', 'QUtJQUlPU0ZPRE5ON0VYQU1QTEV3SmFsclhVdG5GRU1JL0s3TURFTkcvYlB4UmZpQ1lFWEFNUExFS0VZ'],
  ['AWS ids', 'arn:aws:iam::123456789012:role/service-role/MyLambdaRole-abc123 i-0abcd1234ef567890 sg-0123456789abcdef0'],
  ['uuid and digest', '123e4567-e89b-12d3-a456-426614174000 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  ['log line', '2026-05-01T12:34:56.789Z ERROR [req-7f3a] Task failed: CannotPullContainerError: pull image manifest has been retried 5 time(s)'],
  ['indented code', 'def f():\n        if x:\n                return 1\n\n\n\n    else:\n\t\treturn 2'],
  ['env names', 'AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY HTTPS_PROXY DYNAMODB_TABLE_NAME'],
  ['table and operators', '|---|---|---|\n| a | b | c |\n=> -> <= >= != == && || ::: ... ### *** ~~~ ```'],
  ['accents', 'Où est la base de données? Größe der Datenbank: über fünf Gigabyte. ¿Cómo configuro la región?'],
];

// One tokenizer for the file: building it (WASM) takes longer than all the counting.
const tokenizer = getTokenizer();
const countTokens = (text: string): number => tokenizer.encode(text.normalize('NFKC'), 'all').length;

describe('the token estimate', () => {
  it.each([...corpus, ...DENSE])('never counts fewer tokens than a Claude tokenizer: %s', (_name, text) => {
    expect(estimateTokens(text)).toBeGreaterThanOrEqual(countTokens(text));
  });

  it('stays within 1.6× of the real count over typical answers, so the budget is not wasted', () => {
    const real = corpus.reduce((sum, [, text]) => sum + countTokens(text), 0);
    const estimated = corpus.reduce((sum, [, text]) => sum + estimateTokens(text), 0);
    expect(estimated / real).toBeGreaterThan(1);
    expect(estimated / real).toBeLessThan(1.6);
  });

  it('would have under-counted dense text with the old 3-characters-a-token rule', () => {
    const [, json] = DENSE[0]!;
    expect(Math.ceil(json.length / 3) + 4).toBeLessThan(countTokens(json));
  });
});

describe('against the API token counter', () => {
  let anthropic: FakeAnthropic;
  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
  });
  afterAll(async () => {
    tokenizer.free();
    await anthropic.close();
  });

  it('estimates a whole conversation at no less than count_tokens', async () => {
    const messages = corpus.slice(0, 7).map(([, text], index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: text.trim() }));
    const response = await fetch(`${anthropic.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', messages }),
    });
    expect(response.status).toBe(200);
    const { input_tokens: counted } = (await response.json()) as { input_tokens: number };
    const estimated = messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
    expect(counted).toBeGreaterThan(100);
    expect(estimated).toBeGreaterThanOrEqual(counted);
  });
});
