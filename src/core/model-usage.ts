/**
 * Tokens one model request used, as the Messages API reports them. Pure.
 * An answer may take several requests (tool rounds, retries, a fallback model): each is priced on
 * its own, because a request's prompt size decides its price band (core/prices.ts).
 */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** One request to the model and what it used. */
export interface ModelCall {
  model: string;
  usage: ModelUsage;
}

export const ZERO_USAGE: ModelUsage = Object.freeze({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

function addUsage(a: ModelUsage, b: ModelUsage): ModelUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

export function totalUsage(calls: readonly ModelCall[]): ModelUsage {
  return calls.reduce((sum, call) => addUsage(sum, call.usage), ZERO_USAGE);
}

/** Everything the model read for one request: fresh input, cache reads and cache writes. */
export function promptTokens(usage: ModelUsage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}
