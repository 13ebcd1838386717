import { z } from 'zod';
import type { ModelUsage } from '../model/claude.js';

/**
 * What model tokens cost, in USD per million tokens, and the arithmetic on it. Pure.
 *
 * Sources (checked for this table): Anthropic's pricing page,
 * https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing": base input, 5-minute
 * cache writes, cache hits, output), and each model's overview page under
 * https://platform.claude.com/docs/en/models/ for the newer generations. Cache writes here are
 * the 5-minute kind, the only one the bot asks for (model/claude.ts); they cost 1.25× input, and
 * cache reads (hits) 0.1× input, except where a model's page says otherwise.
 * Contracts with other prices, and models newer than this table, are set with MODEL_PRICES_JSON.
 */
export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export type PriceTable = ReadonlyMap<string, ModelPrice>;

const standard = (input: number, output: number): ModelPrice => ({ input, output, cacheWrite: input * 1.25, cacheRead: input * 0.1 });

/** Keyed by the API's alias; dated snapshots (claude-haiku-4-5-20251001) are found by their alias. */
export const DEFAULT_PRICES: PriceTable = new Map<string, ModelPrice>([
  ['claude-haiku-4-5', standard(1, 5)],
  ['claude-sonnet-4-5', standard(3, 15)],
  ['claude-sonnet-4-6', standard(3, 15)],
  ['claude-opus-4-5', standard(5, 25)],
  ['claude-opus-4-6', standard(5, 25)],
  ['claude-opus-4-7', standard(5, 25)],
  ['claude-opus-4-8', standard(5, 25)],
  ['claude-opus-5', standard(5, 25)],
  ['claude-sonnet-5', standard(2, 10)],
  // Cache hits on Sonnet 5.5 were cut to 0.05× input on 2026-10-07.
  ['claude-sonnet-5-5', { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1 }],
  ['claude-opus-5-5', { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 }],
  // The band for prompts up to 100,000 tokens; the bot's prompts stay far below (HISTORY_TOKEN_BUDGET).
  ['claude-haiku-5-5', { input: 0.1, output: 0.5, cacheWrite: 0.125, cacheRead: 0.01 }],
]);

const perMillion = z.number({ error: 'must be a number (USD per million tokens)' }).nonnegative('must not be negative');

const overrideSchema = z.record(
  z.string().min(1),
  z.strictObject({ input: perMillion, output: perMillion, cacheWrite: perMillion.optional(), cacheRead: perMillion.optional() }),
);

/**
 * Problems with MODEL_PRICES_JSON, for the start-up check (config.ts): empty when it is valid.
 * Shape: {"model-id": {"input": 1, "output": 5, "cacheWrite"?: 1.25, "cacheRead"?: 0.1}}.
 */
export function priceOverrideProblems(json: string | undefined): string[] {
  if (json === undefined || json.trim() === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return ['MODEL_PRICES_JSON is not valid JSON'];
  }
  const parsed = overrideSchema.safeParse(raw);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `MODEL_PRICES_JSON ${issue.path.join('.') || '(top level)'} ${issue.message}`);
}

/** The default table with MODEL_PRICES_JSON on top; call priceOverrideProblems first. */
export function buildPriceTable(overridesJson: string | undefined): PriceTable {
  const table = new Map(DEFAULT_PRICES);
  if (overridesJson === undefined || overridesJson.trim() === '') return table;
  const overrides = overrideSchema.parse(JSON.parse(overridesJson));
  for (const [model, price] of Object.entries(overrides)) {
    const base = standard(price.input, price.output);
    table.set(model, { ...base, ...definedOnly(price) });
  }
  return table;
}

function definedOnly(price: { cacheWrite?: number | undefined; cacheRead?: number | undefined }): Partial<ModelPrice> {
  return {
    ...(price.cacheWrite !== undefined ? { cacheWrite: price.cacheWrite } : {}),
    ...(price.cacheRead !== undefined ? { cacheRead: price.cacheRead } : {}),
  };
}

/** The API answers with the dated snapshot id; prices are usually listed by alias. */
export function priceFor(table: PriceTable, model: string): ModelPrice | undefined {
  return table.get(model) ?? table.get(model.replace(/-\d{8}$/, ''));
}

/**
 * Cost in nano-dollars (1e-9 USD), a whole number: prices have at most three decimals per
 * million tokens, so one token costs a whole number of nano-dollars and daily sums add up exactly.
 */
export function costNanoUsd(usage: ModelUsage, price: ModelPrice): number {
  const nanoPerToken = (usdPerMillion: number) => usdPerMillion * 1000;
  return Math.round(
    usage.inputTokens * nanoPerToken(price.input) +
      usage.outputTokens * nanoPerToken(price.output) +
      usage.cacheWriteTokens * nanoPerToken(price.cacheWrite) +
      usage.cacheReadTokens * nanoPerToken(price.cacheRead),
  );
}

export const NANO_PER_USD = 1_000_000_000;

export function costUsd(usage: ModelUsage, price: ModelPrice): number {
  return costNanoUsd(usage, price) / NANO_PER_USD;
}

/**
 * Tokens that count against the daily budgets: what the model read fresh, wrote to its cache and
 * wrote as the answer. Cache reads are left out, as in Anthropic's own rate limits: a long thread
 * read from the prompt cache should not use up a person's day.
 */
export function budgetTokens(usage: ModelUsage): number {
  return usage.inputTokens + usage.cacheWriteTokens + usage.outputTokens;
}
