import { callsCostNanoUsd, NANO_PER_USD, type PriceTable } from '../core/prices.js';
import type { AnswerOutcome } from '../model/answer.js';
import type { ModelError } from '../model/errors.js';

/** The line printed after an answer: model, tokens, tool calls, cost when prices are known, and timings. */
export function usageLine(outcome: AnswerOutcome, startedAt: number, requestedModel: string, prices: PriceTable): string {
  const parts: string[] = [outcome.model ?? requestedModel];
  const { usage } = outcome;
  parts.push(`${usage.inputTokens} input + ${usage.outputTokens} output tokens`);
  if (usage.cacheReadTokens > 0 || usage.cacheWriteTokens > 0) parts.push(`cache: ${usage.cacheReadTokens} read, ${usage.cacheWriteTokens} written`);
  if (outcome.toolCalls > 0) parts.push(`${outcome.toolCalls} tool call${outcome.toolCalls === 1 ? '' : 's'}`);
  const cost = callsCostNanoUsd(prices, outcome.calls);
  if (cost !== undefined && outcome.calls.length > 0) parts.push(`$${(cost / NANO_PER_USD).toFixed(4)}`);
  if (outcome.firstTokenAt) parts.push(`first token ${seconds(outcome.firstTokenAt - startedAt)}`);
  parts.push(`total ${seconds(outcome.finishedAt - startedAt)}`);
  if (outcome.status !== 'answered') parts.push(outcome.status);
  if (outcome.error) parts.push(describeError(outcome.error));
  return `— ${parts.join(' · ')}`;
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(2)} s`;
}

function describeError(error: ModelError): string {
  const { status, errorType, requestId } = error.details;
  const facts = [error.kind, status && `HTTP ${status}`, errorType, requestId && `request ${requestId}`];
  return `${facts.filter(Boolean).join(', ')}: ${error.message}`;
}
