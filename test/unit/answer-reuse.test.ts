import { describe, expect, it } from 'vitest';
import { answerReuseKey, normaliseQuestion, readdress, ReaddressedStream, reusableQuestion } from '../../src/reuse/answer-reuse.js';

const settings = { model: 'claude-haiku-4-5', modelSettings: [0.7, 'low', 1000] as unknown[], system: 'You are an AWS expert.', tools: ['aws_docs__search_documentation'] };
const key = (question: string, overrides: Partial<typeof settings> = {}) => answerReuseKey(question, { ...settings, ...overrides });

describe('the answer cache key', () => {
  it('ignores case and whitespace in the question', () => {
    expect(normaliseQuestion('  How do I set up\n\tECS   with Fargate? ')).toBe('how do i set up ecs with fargate?');
    expect(key('How do I set up ECS?')).toBe(key('  how do I   set up ecs?\n'));
  });

  it('differs for another question, model, model setting, system prompt or set of tools', () => {
    const base = key('How do I set up ECS?');
    expect(key('How do I set up EKS?')).not.toBe(base);
    expect(key('How do I set up ECS?', { model: 'claude-sonnet-4-5' })).not.toBe(base);
    expect(key('How do I set up ECS?', { modelSettings: [0, 'low', 1000] })).not.toBe(base);
    expect(key('How do I set up ECS?', { modelSettings: ['default', 'low', 1000] })).not.toBe(base);
    expect(key('How do I set up ECS?', { modelSettings: [0.7, 'low', 2000] })).not.toBe(base);
    expect(key('How do I set up ECS?', { system: 'You are a pirate.' })).not.toBe(base);
    expect(key('How do I set up ECS?', { tools: [] })).not.toBe(base);
    expect(key('How do I set up ECS?', { tools: ['aws_docs__search_documentation'] })).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('which requests may reuse an answer', () => {
  it('is a single question by one person', () => {
    expect(reusableQuestion([{ role: 'user', content: '<@U0ALICE>: What is S3?' }])).toEqual({ author: 'U0ALICE', question: 'What is S3?' });
  });

  it('is never a follow-up, a conversation between people, or a shortened thread', () => {
    expect(reusableQuestion([{ role: 'user', content: '<@U0ALICE>: What is S3?' }, { role: 'assistant', content: 'Storage.' }, { role: 'user', content: '<@U0ALICE>: more?' }])).toBeUndefined();
    expect(reusableQuestion([{ role: 'user', content: '<@U0BOB>: look at this error\n\n<@U0ALICE>: what does it mean?' }])).toBeUndefined();
    expect(reusableQuestion([{ role: 'user', content: '[3 earlier messages of this thread left out to fit the context]\n\n<@U0ALICE>: and now?' }])).toBeUndefined();
    expect(reusableQuestion([])).toBeUndefined();
  });
});

describe('re-addressing a reused answer', () => {
  it('replaces mentions of the first asker with the new one', () => {
    expect(readdress('<@U0ALICE>, run this. Thanks <@U0ALICE>! cc <@U0BOB>', 'U0ALICE', 'U0CAROL')).toBe('<@U0CAROL>, run this. Thanks <@U0CAROL>! cc <@U0BOB>');
  });

  it('holds back a mention split across deltas until it is complete', () => {
    const stream = new ReaddressedStream('U0ALICE', 'U0CAROL');
    const shown = ['Hi <', '@U0AL', 'ICE>, use `a < b`', ' and <@U0BOB> <@U0'].map((delta) => stream.push(delta));
    expect(shown).toEqual(['Hi ', '', '<@U0CAROL>, use `a < b`', ' and <@U0BOB> ']);
    expect(stream.flush()).toBe('<@U0');
    expect(shown.join('') + '<@U0').toBe(readdress('Hi <@U0ALICE>, use `a < b` and <@U0BOB> <@U0', 'U0ALICE', 'U0CAROL'));
  });
});
