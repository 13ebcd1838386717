import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { budgetTokens, buildPriceTable, costNanoUsd, costUsd, DEFAULT_PRICES, priceFor, priceOverrideProblems } from '../../src/core/prices.js';
import { MINIMAL_ENV } from '../support/config.js';

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0) => ({ inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens });

describe('model prices', () => {
  it('prices Claude Haiku 4.5 at $1 in, $5 out, $1.25 cache write and $0.10 cache read per million tokens', () => {
    expect(priceFor(DEFAULT_PRICES, 'claude-haiku-4-5')).toEqual({ input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 });
  });

  it('finds a dated snapshot by its alias, and nothing for an unknown model', () => {
    expect(priceFor(DEFAULT_PRICES, 'claude-haiku-4-5-20251001')).toEqual(priceFor(DEFAULT_PRICES, 'claude-haiku-4-5'));
    expect(priceFor(DEFAULT_PRICES, 'claude-sonnet-4-5-20250929')?.input).toBe(3);
    expect(priceFor(DEFAULT_PRICES, 'claude-3-haiku-20240307')).toBeUndefined();
  });

  it('adds up every kind of token at its own price, exactly', () => {
    const price = priceFor(DEFAULT_PRICES, 'claude-haiku-4-5')!;
    // 1,000 in × $1 + 500 out × $5 + 2,000 read × $0.10 + 4,000 written × $1.25, per million.
    expect(costNanoUsd(usage(1000, 500, 2000, 4000), price)).toBe(1_000_000 + 2_500_000 + 200_000 + 5_000_000);
    expect(costUsd(usage(1_000_000, 1_000_000), price)).toBe(6);
    // One cache-read token of Haiku 5.5 ($0.01 per million) is still counted, in whole nano-dollars.
    expect(costNanoUsd(usage(0, 0, 1), priceFor(DEFAULT_PRICES, 'claude-haiku-5-5')!)).toBe(10);
    expect(costNanoUsd(usage(0, 0), price)).toBe(0);
  });

  it('counts fresh input, cache writes and output against budgets, but not cache reads', () => {
    expect(budgetTokens(usage(100, 50, 10_000, 20))).toBe(170);
  });

  it('takes overrides for contracts and new models, with the usual cache multipliers by default', () => {
    const table = buildPriceTable('{"claude-haiku-4-5":{"input":0.8,"output":4,"cacheRead":0.05},"claude-next-1":{"input":2,"output":8}}');
    expect(priceFor(table, 'claude-haiku-4-5-20251001')).toEqual({ input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.05 });
    expect(priceFor(table, 'claude-next-1')).toEqual({ input: 2, output: 8, cacheWrite: 2.5, cacheRead: 0.2 });
    expect(priceFor(table, 'claude-opus-4-5')).toEqual(priceFor(DEFAULT_PRICES, 'claude-opus-4-5'));
  });

  it('rejects a malformed MODEL_PRICES_JSON at start-up, naming the problem', () => {
    expect(priceOverrideProblems(undefined)).toEqual([]);
    expect(priceOverrideProblems('{"claude-haiku-4-5":{"input":1,"output":5}}')).toEqual([]);
    expect(priceOverrideProblems('{not json')).toEqual(['MODEL_PRICES_JSON is not valid JSON']);
    expect(priceOverrideProblems('{"m":{"input":1}}')[0]).toMatch(/MODEL_PRICES_JSON m\.output/);
    expect(priceOverrideProblems('{"m":{"input":-1,"output":5}}')[0]).toMatch(/m\.input must not be negative/);
    expect(priceOverrideProblems('{"m":{"input":1,"output":5,"cache_read":1}}')[0]).toMatch(/MODEL_PRICES_JSON m/);
    expect(priceOverrideProblems('[1,2]')).not.toEqual([]);

    expect(() => loadConfig({ ...MINIMAL_ENV, MODEL_PRICES_JSON: '{"m":{"input":"cheap","output":5}}' })).toThrow(ConfigError);
    expect(loadConfig({ ...MINIMAL_ENV, MODEL_PRICES_JSON: '{"m":{"input":1,"output":5}}' }).model.pricesJson).toContain('"m"');
  });
});
