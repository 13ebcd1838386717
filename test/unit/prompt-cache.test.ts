import { describe, expect, it } from 'vitest';
import { toMessageParams } from '../../src/model/model-loop.js';
import { mayBeCacheable, minCacheableTokens } from '../../src/model/prompt-cache.js';

describe('prompt caching', () => {
  it("knows each model's minimum cacheable length, dated ids included", () => {
    expect(minCacheableTokens('claude-haiku-4-5')).toBe(4096);
    expect(minCacheableTokens('claude-haiku-4-5-20251001')).toBe(4096);
    expect(minCacheableTokens('claude-sonnet-4-5-20250929')).toBe(1024);
    expect(minCacheableTokens('claude-sonnet-4-6')).toBe(2048);
    expect(minCacheableTokens('claude-opus-5')).toBe(512);
    expect(minCacheableTokens('claude-opus-5-5')).toBe(512);
    expect(minCacheableTokens('claude-haiku-5-5')).toBe(512);
  });

  it('marks a prefix that may reach the minimum, even in dense text, and not a short one', () => {
    expect(mayBeCacheable(8192, 'claude-haiku-4-5')).toBe(true);
    expect(mayBeCacheable(8191, 'claude-haiku-4-5')).toBe(false);
    // The old rule (4 characters a token) missed Sonnet 4.5 prompts between 2,048 and 16,384 characters.
    expect(mayBeCacheable(4000, 'claude-sonnet-4-5')).toBe(true);
    // Haiku 5.5's tokenizer makes about 1.3× the tokens of the same text.
    expect(mayBeCacheable(788, 'claude-haiku-5-5')).toBe(true);
    expect(mayBeCacheable(780, 'claude-haiku-5-5')).toBe(false);
  });

  it('puts the history breakpoint on the last turn before the question once system and history are long enough', () => {
    const turns = [
      { role: 'user' as const, content: '<@U1>: ' + 'x'.repeat(3000) },
      { role: 'assistant' as const, content: 'y'.repeat(3000) },
      { role: 'user' as const, content: '<@U1>: and then?' },
    ];
    const short = toMessageParams(turns, 'claude-haiku-4-5', 1000);
    expect(short.every((message) => typeof message.content === 'string')).toBe(true);
    const long = toMessageParams(turns, 'claude-haiku-4-5', 2200);
    expect(long[1]?.content).toEqual([{ type: 'text', text: 'y'.repeat(3000), cache_control: { type: 'ephemeral' } }]);
    expect(typeof long[2]?.content).toBe('string');
  });
});
