import type { AnswerOutcome } from '../answer/answer-question.js';
import { costOfUsageUsd } from '../usage/price-book.js';

/** The line printed after an answer: model, tokens, cost when prices are known, and timings. */
export function usageLine(outcome: AnswerOutcome, startedAt: number, requestedModel: string): string {
  const parts: string[] = [outcome.model ?? requestedModel];
  const usage = outcome.usage;
  if (usage) {
    parts.push(`${usage.inputTokens} input + ${usage.outputTokens} output tokens`);
    if (usage.cacheReadTokens > 0 || usage.cacheWriteTokens > 0) parts.push(`cache: ${usage.cacheReadTokens} read, ${usage.cacheWriteTokens} written`);
    const cost = costOfUsageUsd(outcome.model ?? requestedModel, usage);
    if (cost !== undefined) parts.push(`$${cost.toFixed(4)}`);
  } else {
    parts.push('no usage reported');
  }
  if (outcome.firstTokenAt) parts.push(`first token ${seconds(outcome.firstTokenAt - startedAt)}`);
  parts.push(`total ${seconds(outcome.finishedAt - startedAt)}`);
  if (outcome.status !== 'answered') parts.push(outcome.status);
  if (outcome.error) parts.push(describeError(outcome.error.toLog()));
  return `— ${parts.join(' · ')}`;
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(2)} s`;
}

function describeError(error: Record<string, unknown>): string {
  const facts = [error.kind, error.status && `HTTP ${String(error.status)}`, error.errorType, error.requestId && `request ${String(error.requestId)}`];
  return `${facts.filter(Boolean).join(', ')}: ${String(error.message)}`;
}
