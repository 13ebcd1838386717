import { z } from 'zod';
import { promptTokens, type ModelCall, type ModelUsage } from './model-usage.js';

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
 *
 * Some models price long prompts higher: a request whose prompt (input + cache reads + cache
 * writes) exceeds `longPrompt.aboveTokens` pays the long-prompt prices on every token of that
 * request, output included. The band is chosen per request, never per answer.
 */
export interface TokenPrices {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export interface ModelPrice extends TokenPrices {
  longPrompt?: TokenPrices & { aboveTokens: number };
}

export type PriceTable = ReadonlyMap<string, ModelPrice>;

const standard = (input: number, output: number): TokenPrices => ({ input, output, cacheWrite: input * 1.25, cacheRead: input * 0.1 });
const times = (prices: TokenPrices, factor: number): TokenPrices => ({
  input: prices.input * factor,
  output: prices.output * factor,
  cacheWrite: prices.cacheWrite * factor,
  cacheRead: prices.cacheRead * factor,
});
const HAIKU_5_5: TokenPrices = { input: 0.1, output: 0.5, cacheWrite: 0.125, cacheRead: 0.01 };

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
  // Prompts over 100,000 tokens pay five times every price of the request.
  ['claude-haiku-5-5', { ...HAIKU_5_5, longPrompt: { aboveTokens: 100_000, ...times(HAIKU_5_5, 5) } }],
]);

const perMillion = z.number({ error: 'must be a number (USD per million tokens)' }).nonnegative('must not be negative');

const pricesSchema = { input: perMillion, output: perMillion, cacheWrite: perMillion.optional(), cacheRead: perMillion.optional() };
const overrideSchema = z.record(
  z.string().min(1),
  z.strictObject({
    ...pricesSchema,
    longPrompt: z.strictObject({ aboveTokens: z.number().int().positive(), ...pricesSchema }).optional(),
  }),
);

/**
 * Problems with MODEL_PRICES_JSON, for the start-up check (config.ts): empty when it is valid.
 * Shape: {"model-id": {"input": 1, "output": 5, "cacheWrite"?: 1.25, "cacheRead"?: 0.1,
 *   "longPrompt"?: {"aboveTokens": 100000, "input": 5, "output": 25, "cacheWrite"?: …, "cacheRead"?: …}}}.
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
    const { longPrompt } = price;
    table.set(model, {
      ...withCachePrices(price),
      ...(longPrompt ? { longPrompt: { aboveTokens: longPrompt.aboveTokens, ...withCachePrices(longPrompt) } } : {}),
    });
  }
  return table;
}

/** Cache prices default to Anthropic's usual ratios of the input price. */
function withCachePrices(price: { input: number; output: number; cacheWrite?: number | undefined; cacheRead?: number | undefined }): TokenPrices {
  return {
    ...standard(price.input, price.output),
    ...(price.cacheWrite !== undefined ? { cacheWrite: price.cacheWrite } : {}),
    ...(price.cacheRead !== undefined ? { cacheRead: price.cacheRead } : {}),
  };
}

/** The prices one request pays: its prompt size picks the band. */
function bandFor(price: ModelPrice, usage: ModelUsage): TokenPrices {
  return price.longPrompt && promptTokens(usage) > price.longPrompt.aboveTokens ? price.longPrompt : price;
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
  const band = bandFor(price, usage);
  const nanoPerToken = (usdPerMillion: number) => usdPerMillion * 1000;
  return Math.round(
    usage.inputTokens * nanoPerToken(band.input) +
      usage.outputTokens * nanoPerToken(band.output) +
      usage.cacheWriteTokens * nanoPerToken(band.cacheWrite) +
      usage.cacheReadTokens * nanoPerToken(band.cacheRead),
  );
}

export const NANO_PER_USD = 1_000_000_000;

/** Nano-dollars for an answer's requests, each priced in its own band; undefined when a model has no price. */
export function callsCostNanoUsd(table: PriceTable, calls: readonly ModelCall[]): number | undefined {
  let total = 0;
  for (const call of calls) {
    const price = priceFor(table, call.model);
    if (!price) return undefined;
    total += costNanoUsd(call.usage, price);
  }
  return total;
}

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
