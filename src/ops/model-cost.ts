import type { ModelUsage } from '../model/claude.js';

/**
 * The one place the metrics ask what a model request cost. The price table belongs to usage
 * accounting (issue 5: src/usage/prices.ts, with MODEL_PRICES_JSON overrides); until it exists
 * this answers "unknown" and `aws_orchestrator_model_cost_usd_total` stays empty. Plugging the
 * table in is a change to this function alone.
 */
export function costOfUsageUsd(_model: string, _usage: ModelUsage): number | undefined {
  return undefined;
}
