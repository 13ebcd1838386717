import type { ModelUsage } from './model-usage.js';
import { budgetTokens } from './prices.js';

/**
 * How one answer's usage becomes counters in a per-day Redis hash, and how such hashes read back.
 * Pure. A day's hash holds one field per scope and metric: `total|input`, `user:U123|costNano`,
 * `channel:C123|questions`, `model:claude-haiku-4-5|questions`… so a day costs one key, whatever
 * the traffic, and the report reads a month with 30 HGETALLs.
 */
const METRICS = ['questions', 'reused', 'input', 'output', 'cacheRead', 'cacheWrite', 'budgetTokens', 'costNano', 'unpriced', 'toolCalls', 'declined'] as const;
export type Metric = (typeof METRICS)[number];
export type Totals = Record<Metric, number>;

/** Workspace-wide latency sums (only for answers that called the model). */
const TIMING = ['modelCalls', 'ttftMsSum', 'ttftCount', 'durationMsSum'] as const;
export type Timing = Record<(typeof TIMING)[number], number>;

/** How an answer was produced: by its own model call, from the answer cache, or by sharing another's call. */
export type ServedFrom = 'model' | 'cache' | 'shared';

export interface AnswerUsage {
  teamId: string;
  channel: string;
  userId: string;
  model: string | undefined;
  /** Zero for answers that made no model call of their own. */
  usage: ModelUsage;
  servedFrom: ServedFrom;
  /** Nano-dollars; undefined when the model has no price. */
  costNano: number | undefined;
  /** From the job's arrival to the first model token, when there was one. */
  firstTokenMs: number | undefined;
  durationMs: number;
  /** Tool calls the answer made (documentation look-ups, account reads). */
  toolCalls: number;
  /** The model declined to answer. */
  declined: boolean;
}


export const scopeField = (scope: string, metric: string): string => `${scope}|${metric}`;
export const userScope = (userId: string): string => `user:${userId}`;
const channelScope = (channel: string): string => `channel:${channel}`;
const modelScope = (model: string): string => `model:${model}`;
export const TOTAL = 'total';

function emptyTotals(): Totals {
  return { questions: 0, reused: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, budgetTokens: 0, costNano: 0, unpriced: 0, toolCalls: 0, declined: 0 };
}

/** The counters one answer adds, without zeros (each is an HINCRBY). */
export function incrementsFor(answer: AnswerUsage): Array<[field: string, by: number]> {
  const { usage } = answer;
  const ownCall = answer.servedFrom === 'model';
  const totals: Partial<Totals> = {
    questions: 1,
    reused: ownCall ? 0 : 1,
    input: usage.inputTokens,
    output: usage.outputTokens,
    cacheRead: usage.cacheReadTokens,
    cacheWrite: usage.cacheWriteTokens,
    budgetTokens: budgetTokens(usage),
    costNano: answer.costNano ?? 0,
    unpriced: ownCall && answer.costNano === undefined ? 1 : 0,
    toolCalls: answer.toolCalls,
    declined: answer.declined ? 1 : 0,
  };
  const scopes = [TOTAL, userScope(answer.userId), channelScope(answer.channel)];
  const increments: Array<[string, number]> = [];
  for (const scope of scopes) {
    for (const metric of METRICS) {
      const by = totals[metric] ?? 0;
      if (by !== 0) increments.push([scopeField(scope, metric), by]);
    }
  }
  if (answer.model && ownCall) {
    increments.push([scopeField(modelScope(answer.model), 'questions'), 1]);
    if (answer.costNano) increments.push([scopeField(modelScope(answer.model), 'costNano'), answer.costNano]);
  }
  if (ownCall) {
    increments.push([scopeField(TOTAL, 'modelCalls'), 1], [scopeField(TOTAL, 'durationMsSum'), Math.max(0, Math.round(answer.durationMs))]);
    if (answer.firstTokenMs !== undefined) {
      increments.push([scopeField(TOTAL, 'ttftMsSum'), Math.max(0, Math.round(answer.firstTokenMs))], [scopeField(TOTAL, 'ttftCount'), 1]);
    }
  }
  return increments;
}

/** 👍/👎 counted over some days (usage/feedback-store.ts). */
export interface FeedbackCounts {
  up: number;
  down: number;
}

/** One or more days' counters, by scope. */
export interface UsageTally {
  scopes: Map<string, Totals>;
  timing: Timing;
}

function emptyTally(): UsageTally {
  return { scopes: new Map(), timing: { modelCalls: 0, ttftMsSum: 0, ttftCount: 0, durationMsSum: 0 } };
}

/** Adds a day's hash (as HGETALL returns it) to a tally. Unknown fields are ignored. */
function addDay(tally: UsageTally, hash: Record<string, string>): UsageTally {
  for (const [field, raw] of Object.entries(hash)) {
    const separator = field.lastIndexOf('|');
    if (separator === -1) continue;
    const scope = field.slice(0, separator);
    const metric = field.slice(separator + 1);
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    if (scope === TOTAL && (TIMING as readonly string[]).includes(metric)) {
      tally.timing[metric as keyof Timing] += value;
      continue;
    }
    if (!(METRICS as readonly string[]).includes(metric)) continue;
    const totals = tally.scopes.get(scope) ?? emptyTotals();
    totals[metric as Metric] += value;
    tally.scopes.set(scope, totals);
  }
  return tally;
}

export function tallyOf(hashes: ReadonlyArray<Record<string, string>>): UsageTally {
  return hashes.reduce(addDay, emptyTally());
}

export function totalsOf(tally: UsageTally, scope: string): Totals {
  return tally.scopes.get(scope) ?? emptyTotals();
}

/** Every scope of a kind (`user:` or `channel:`), largest cost first, then most tokens. */
export function ranked(tally: UsageTally, kind: 'user' | 'channel', limit: number): Array<{ id: string; totals: Totals }> {
  const prefix = `${kind}:`;
  return [...tally.scopes.entries()]
    .filter(([scope]) => scope.startsWith(prefix))
    .map(([scope, totals]) => ({ id: scope.slice(prefix.length), totals }))
    .sort((a, b) => b.totals.costNano - a.totals.costNano || tokensOf(b.totals) - tokensOf(a.totals) || b.totals.questions - a.totals.questions)
    .slice(0, limit);
}

/** Every token the model read or wrote for these answers, cache reads included. */
export function tokensOf(totals: Totals): number {
  return totals.input + totals.output + totals.cacheRead + totals.cacheWrite;
}
