import type { ModelUsage } from '../model/claude.js';
import { costUsd, DEFAULT_PRICES, priceFor, type PriceTable } from './prices.js';

/**
 * The price table this process uses, set once at start-up from MODEL_PRICES_JSON (main.ts), so
 * that code without the configuration at hand (the metrics) prices usage exactly like the usage
 * records do.
 */
let active: PriceTable = DEFAULT_PRICES;

export function usePrices(table: PriceTable): void {
  active = table;
}

export function activePrices(): PriceTable {
  return active;
}

/** USD for one model call, or undefined when the model has no known price. */
export function costOfUsageUsd(model: string, usage: ModelUsage): number | undefined {
  const price = priceFor(active, model);
  return price ? costUsd(usage, price) : undefined;
}
