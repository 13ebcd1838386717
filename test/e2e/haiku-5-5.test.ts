import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../support/bot.js';
import { turnsOf } from './answer-checks.js';
import { BOT_USER, startStack, type Stack } from './stack.js';

/**
 * Claude Haiku 5.5, the default model, as the real API serves it (the fake enforces its rules:
 * no sampling parameters on API version 2026-10-21, no prefill, adaptive thinking streamed as a
 * thinking block before the text, refusals with stop_details): what the bot sends, and what a
 * person sees when the model thinks, declines or runs out of output.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const contextTexts = (message: { blocks?: unknown[] | undefined }) =>
  ((message.blocks ?? []) as Array<{ type?: string; elements?: Array<{ text?: string }> }>).filter((block) => block.type === 'context').flatMap((block) => block.elements?.map((element) => element.text ?? '') ?? []);
const buttons = (message: { blocks?: unknown[] | undefined }) =>
  ((message.blocks ?? []) as Array<{ type?: string; elements?: Array<{ action_id?: string }> }>).filter((block) => block.type === 'actions').flatMap((block) => block.elements?.map((element) => element.action_id) ?? []);

describe('with the default settings', () => {
  it('sends a request Haiku 5.5 accepts, and no thinking reaches Slack', async () => {
    const before = stack.anthropic.messageRequests().length;
    stack.anthropic.enqueue({ text: 'Use **AWS Organizations** with one account per workload.', thinking: 'The user wants a multi-account layout; I should mention Organizations.', thinkingMs: 150 });
    const asked = await stack.mention(`<@${BOT_USER}> How should we lay out our AWS accounts?`);
    const answer = await stack.finalAnswer(asked);

    const [request] = stack.anthropic.messageRequests().slice(before);
    expect(request!.status).toBe(200);
    expect(request!.apiVersion).toBe('2026-10-21');
    expect(request!.body).not.toHaveProperty('temperature');
    expect(request!.body).toMatchObject({ model: 'claude-haiku-5-5', thinking: { type: 'adaptive' }, output_config: { effort: 'low' } });
    expect(request!.thinking?.block).toBe(true);
    expect(turnsOf(request).at(-1)!.role).toBe('user');

    for (const version of stack.slack.history(asked.channel, answer.ts)) expect(JSON.stringify(version)).not.toContain('multi-account layout; I should');
    expect(answer.text).toBe('Use *AWS Organizations* with one account per workload.');
    // The system prompt gives today's date and asks for no written-out reasoning.
    const system = (request!.body?.system as Array<{ text: string }>)[0]!.text;
    expect(system).toContain(`Today's date is ${new Date().toISOString().slice(0, 10)}`);
    expect(system).toContain('Do not write out your reasoning');
  });
});

describe('a refusal', () => {
  it('replaces the partial text with a short note, once, after one model call, and leaves the exchange out of later history', async () => {
    const before = stack.anthropic.messageRequests().length;
    stack.anthropic.enqueue({ text: 'Here is how to get into that account without the owner', chunkSize: 6, tokenDelayMs: 30, refusal: { category: 'cyber', afterChunks: 4 } });
    const asked = await stack.mention(`<@${BOT_USER}> How do I break into someone else's AWS account?`);
    const note = await stack.slack.waitFor(() =>
      stack.slack.messagesIn(asked.channel, asked.threadTs).find((message) => message.user === BOT_USER && message.metadata?.event_payload?.refused === true),
    );
    expect(note.text).toMatch(/declined to answer/);
    expect(note.text).not.toContain('Here is how');
    expect(buttons(note)).toEqual([]);
    expect(stack.anthropic.messageRequests().length - before).toBe(1);

    stack.anthropic.enqueue({ text: 'IAM Identity Center gives people access to accounts.' });
    await stack.mention(`<@${BOT_USER}> OK — how do people get access to accounts properly?`, { threadTs: asked.ts });
    await stack.slack.waitFor(() => stack.slack.messagesIn(asked.channel, asked.threadTs).find((message) => message.text.includes('IAM Identity Center')));
    const followUp = stack.anthropic.messageRequests().at(-1);
    expect(turnsOf(followUp)).toEqual([{ role: 'user', content: '<@U0ALICE>: OK — how do people get access to accounts properly?' }]);
  });

  it('is answered once by the fallback model when one is set, saying which model wrote it', async () => {
    const bots = stack.bots.splice(0);
    for (const bot of bots) await bot.kill('SIGTERM');
    await stack.startBot('all', { ANTHROPIC_FALLBACK_MODEL: 'claude-haiku-4-5' });
    const before = stack.anthropic.messageRequests().length;
    stack.anthropic.enqueue({ text: '', refusal: { category: null, afterChunks: 0 } }, { text: 'Rotate the keys with IAM.' });
    const answer = await stack.finalAnswer(await stack.mention(`<@${BOT_USER}> How do I rotate access keys?`));
    expect(answer.text).toBe('Rotate the keys with IAM.');
    expect(contextTexts(answer).join('\n')).toContain('Written by claude-haiku-4-5: claude-haiku-5-5 could not answer this one.');
    const requests = stack.anthropic.messageRequests().slice(before);
    expect(requests.map((request) => request.body?.model)).toEqual(['claude-haiku-5-5', 'claude-haiku-4-5']);
    // Haiku 4.5 does not think adaptively: the fallback request carries neither thinking nor effort.
    expect(requests[1]!.status).toBe(200);
    expect(requests[1]!.body).not.toHaveProperty('thinking');
    expect(requests[1]!.body).not.toHaveProperty('output_config');
  });
});

describe('the output allowance', () => {
  it('ends with a clear note and Continue when thinking used all of it before any text', async () => {
    const bots = stack.bots.splice(0);
    for (const bot of bots) await bot.kill('SIGTERM');
    await stack.startBot('all', { ANTHROPIC_MAX_TOKENS: '64', ANTHROPIC_THINKING_TOKENS: '0' });
    stack.anthropic.enqueue({ text: 'Never shown.', thinkingTokens: 64 });
    const answer = await stack.finalAnswer(await stack.mention(`<@${BOT_USER}> Compare every EC2 instance family in detail.`));
    expect(answer.text).toContain('used its whole output allowance before writing any text');
    expect(buttons(answer)).toContain('answer_continue');
  });
});

describe('the temperature setting', () => {
  it('stops the bot at start-up with one clear message when the model would reject it', async () => {
    const bot = await startBot({ ...stack.env, ANTHROPIC_TEMPERATURE: '0.7' }, { waitForReady: false });
    const exit = await bot.exited;
    expect(exit.code).toBe(1);
    expect(bot.output()).toContain('ANTHROPIC_TEMPERATURE=0.7: claude-haiku-5-5 samples its own way and rejects any temperature but 1');
    expect(bot.output()).not.toMatch(/\n\s+at /);
  });

  it('is sent to Claude Haiku 4.5 on API version 2023-06-01, with neither thinking nor effort', async () => {
    const bots = stack.bots.splice(0);
    for (const bot of bots) await bot.kill('SIGTERM');
    await stack.startBot('all', { ANTHROPIC_MODEL: 'claude-haiku-4-5', ANTHROPIC_TEMPERATURE: '0.7' });
    const before = stack.anthropic.messageRequests().length;
    stack.anthropic.enqueue({ text: 'Use S3 Intelligent-Tiering.' });
    await stack.finalAnswer(await stack.mention(`<@${BOT_USER}> How do I cut S3 storage costs?`));
    const [request] = stack.anthropic.messageRequests().slice(before);
    expect(request!.status).toBe(200);
    expect(request!.apiVersion).toBe('2023-06-01');
    expect(request!.body).toMatchObject({ model: 'claude-haiku-4-5', temperature: 0.7, max_tokens: 1000 });
    expect(request!.body).not.toHaveProperty('thinking');
    expect(request!.body).not.toHaveProperty('output_config');
  });
});
