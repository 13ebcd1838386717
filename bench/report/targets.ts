/**
 * The targets, checked against one run's results for the bot and, for comparison, for the naive
 * baseline: first the goals of "At Slack's limits" (first text fast and every final on time from
 * 20 to 500 answers at once, at the naive bot's cost per answer), then the receipt goal of the
 * hardening work, then the earlier targets that still hold; and, for information only, the bot's
 * figures for tool rounds, which the baseline has no counterpart of. Pure.
 */
import { ratio } from '../measure/stats.js';
import type { StreamingResult } from '../scenarios/streaming.js';
import type { AckResult } from '../scenarios/ack.js';
import type { ThroughputResult } from '../scenarios/throughput.js';
import type { SystemName } from '../harness/world.js';
import { num } from './format.js';
import { toolRuns, type BenchResults } from './results.js';

export type TargetId =
  | 'first-visible'
  | 'final-lag-20'
  | 'final-lag-bound'
  | 'rate-limited'
  | 'throughput'
  | 'redis-commands'
  | 'memory'
  | 'receipt'
  | 'ack-events'
  | 'ack-commands'
  | 'delivery'
  | 'scaling';

export interface TargetCheck {
  id: TargetId;
  /** The scenario's size where the target names one (answers at once). */
  answers?: number;
  /** Which table the target belongs to. */
  group: 'limits' | 'receipt' | 'earlier';
  target: string;
  /** The figure for each system that ran, in ms / ratio / bytes as the target states. */
  values: Partial<Record<SystemName, number>>;
  unit: 'ms' | 'x' | 'KB' | 'count' | 'per-answer' | 'answers/s';
  /** Whether the bot met it (every bot system that ran); undefined when it could not be measured. */
  met: boolean | undefined;
  note?: string;
}

const BOTS: SystemName[] = ['bot-all', 'bot-split'];

/** When Slack's limit imposes less than this, the 20-answer target (p99 under 2 s) is the bar. */
export const FINAL_LAG_FLOOR_MS = 2000;

/** The streaming run the limits' goals are read from: realistic pace, every answer streaming at once. */
export function mainRun(results: BenchResults, answers: number, system: SystemName): StreamingResult | undefined {
  return results.streaming.find((run) => run.answers === answers && run.system === system && run.pace === 'realistic' && run.concurrency >= run.answers);
}

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const perSystem = <T>(items: T[], systemOf: (item: T) => SystemName, value: (item: T) => number) => {
    const values: Partial<Record<SystemName, number>> = {};
    for (const item of items) values[systemOf(item)] = value(item);
    return values;
  };
  const botsMeet = (values: Partial<Record<SystemName, number>>, ok: (value: number) => boolean): boolean | undefined => {
    // Infinity is a measurement (an answer that never completed); NaN is not.
    const measured = BOTS.filter((system) => values[system] !== undefined && !Number.isNaN(values[system]));
    return measured.length === 0 ? undefined : measured.every((system) => ok(values[system]!));
  };
  const runs = (answers: number, pace: StreamingResult['pace'] = 'realistic') =>
    results.streaming.filter((run) => run.answers === answers && run.pace === pace && run.concurrency >= run.answers);

  // The goals of "At Slack's limits".
  for (const [pace, label] of [
    ['realistic', 'a short think'],
    ['thinking', 'the model thinks 3 s first'],
  ] as const) {
    const values = perSystem(runs(20, pace), (s) => s.system, (s) => s.figures.overheadToFirstVisible.p50);
    if (Object.keys(values).length === 0) continue;
    checks.push({ id: 'first-visible', answers: 20, group: 'limits', target: `First visible text p50 < 1,000 ms after the model's first token, 20 answers at once (${label})`, values, unit: 'ms', met: botsMeet(values, (v) => v < 1000) });
  }
  const lag20 = perSystem(runs(20), (s) => s.system, finalLagP99);
  checks.push({ id: 'final-lag-20', answers: 20, group: 'limits', target: 'Final lag p99 < 2,000 ms, 20 answers at once', values: lag20, unit: 'ms', met: botsMeet(lag20, (v) => v < 2000) });
  for (const answers of [100, 500]) {
    const found = runs(answers);
    if (found.length === 0) continue;
    const scale = found[0]?.timeScale;
    const clock = scale && scale !== 1 ? `, limits' clock ×${scale}` : '';
    const complete = perSystem(found, (s) => s.system, (s) => s.figures.delivery.complete);
    checks.push({ id: 'delivery', answers, group: 'limits', target: `All ${answers} complete, ${answers} answers at once${clock}`, values: complete, unit: 'count', met: botsMeet(complete, (v) => v === answers) });
    const bound = perSystem(found, (s) => s.system, boundRatio);
    checks.push({
      id: 'final-lag-bound',
      answers,
      group: 'limits',
      target: `Final lag p99 ≤ 1.2× Slack's lower bound, ${answers} answers at once${clock}`,
      values: bound,
      unit: 'x',
      met: botsMeet(bound, (v) => v <= 1.2),
      note: `p99 ÷ max(bound p99, ${FINAL_LAG_FLOOR_MS / 1000} s)`,
    });
    if (answers === 500) {
      const limited = perSystem(found, (s) => s.system, (s) => s.calls.rateLimited / s.answers);
      checks.push({ id: 'rate-limited', answers, group: 'limits', target: `Fewer than 0.05 429s per answer, ${answers} answers at once${clock}`, values: limited, unit: 'per-answer', met: botsMeet(limited, (v) => v < 0.05) });
    }
  }
  const bursts = results.throughput.filter((t) => t.mode === 'burst');
  const perSecond = perSystem(bestPerSystem(bursts, (t) => t.answersPerSecond), (t) => t.system, (t) => t.answersPerSecond);
  const naiveRate = perSecond.naive;
  checks.push({
    id: 'throughput',
    group: 'limits',
    target: 'Answers per second, a burst of 500 to one process, a model that answers at once: at least the naive bot’s (best of the runs of each)',
    values: perSecond,
    unit: 'answers/s',
    met: naiveRate === undefined ? undefined : botsMeet(perSecond, (v) => v >= naiveRate),
  });
  const commands = redisCommandRuns(results);
  const perAnswer: Partial<Record<SystemName, number>> = {};
  if (commands.length > 0) perAnswer['bot-split'] = Math.max(...commands.map((run) => run.redisCommandsPerAnswer));
  checks.push({
    id: 'redis-commands',
    group: 'limits',
    target: 'Redis commands per answer ≤ 40 (the throughput runs, those inside Lua scripts counted one by one)',
    values: perAnswer,
    unit: 'per-answer',
    met: botsMeet(perAnswer, (v) => v <= 40),
    note: `the highest of the bot’s throughput runs${results.queueFloor ? `; BullMQ alone, with the bot’s job options, runs ${num(results.queueFloor.addPerJob, 0)} to add a job and ${num(results.queueFloor.processPerJob, 0)} to take and complete it` : ''}`,
  });
  const memory = perSystem(bestPerSystem(results.memory, (m) => -m.perAnswerBytes), (m) => m.system, (m) => m.perAnswerBytes / 1024);
  checks.push({ id: 'memory', group: 'limits', target: 'Resident memory per in-flight answer < 100 KB (1,000 at once; the lower of the runs of each)', values: memory, unit: 'KB', met: botsMeet(memory, (v) => v < 100) });

  // Every asker sees that the question arrived.
  for (const run of results.streaming.filter((s) => s.answers === 500 && s.system !== 'naive')) {
    const values = { [run.system]: run.figures.receipt.p99 } as Partial<Record<SystemName, number>>;
    const naive = results.streaming.find((s) => s.answers === run.answers && s.system === 'naive' && s.timeScale === run.timeScale);
    if (naive && run.concurrency >= run.answers) values.naive = naive.figures.receipt.p99;
    checks.push({
      id: 'receipt',
      answers: run.answers,
      group: 'receipt',
      target: `Every asker sees a sign of receipt within 3 s (p99), ${run.answers} answers at once, WORKER_CONCURRENCY ${run.concurrency}`,
      values,
      unit: 'ms',
      met: botsMeet(values, (v) => v < 3000),
    });
  }

  // Earlier targets.
  for (const kind of ['events', 'commands'] as const) {
    const values = perSystem(bestPerSystem(ackRunsAt200(results), (a) => -a[kind].p99), (a) => a.system, (a) => a[kind].p99);
    checks.push({ id: kind === 'events' ? 'ack-events' : 'ack-commands', group: 'earlier', target: `Acknowledgement p99 < 50 ms at 200 requests/s (${kind}; the better of the runs of each)`, values, unit: 'ms', met: botsMeet(values, (v) => v < 50) });
  }
  const lostOrDuplicated = perSystem(
    (['bot-all', 'bot-split', 'naive'] as SystemName[]).flatMap((system) => {
      const of = results.streaming.filter((s) => s.system === system);
      return of.length > 0 ? [{ system, count: of.reduce((n, s) => n + s.figures.delivery.lost + s.figures.delivery.duplicated, 0) }] : [];
    }),
    (f) => f.system,
    (f) => f.count,
  );
  checks.push({ id: 'delivery', group: 'earlier', target: 'No answer lost or duplicated (all streaming runs)', values: lostOrDuplicated, unit: 'count', met: botsMeet(lostOrDuplicated, (v) => v === 0) });
  const one = bestThroughput(results, 1);
  const two = bestThroughput(results, 2);
  const scaling = one && two ? ratio(two.answersPerSecond, one.answersPerSecond) : Number.NaN;
  checks.push({
    id: 'scaling',
    group: 'earlier',
    target: 'Throughput with two worker processes ≥ 1.7× one (best of the runs of each)',
    values: Number.isFinite(scaling) ? { 'bot-split': scaling } : {},
    unit: 'x',
    met: Number.isFinite(scaling) ? scaling >= 1.7 : undefined,
  });
  return checks;
}

/** p99 final lag counting answers that never completed as infinitely late. */
export function finalLagP99(run: StreamingResult): number {
  return run.figures.finalLagP99WithMissing;
}

/** Final lag p99 against what Slack's limit allows (or the 2-second bar, when that is more). */
export function boundRatio(run: StreamingResult): number {
  return ratio(finalLagP99(run), Math.max(run.figures.finalLagBound.p99, FINAL_LAG_FLOOR_MS));
}

/** The bot's throughput runs whose Redis commands count: every one but the profiled. */
export function redisCommandRuns(results: BenchResults): ThroughputResult[] {
  return results.throughput.filter((t) => t.system !== 'naive' && !t.profiled);
}

/**
 * The run that scores highest. Other work on a shared machine only ever makes a run worse, so of
 * several runs of the same thing the best is the one that measured the system itself.
 */
function bestOf<T>(runs: readonly T[], score: (run: T) => number): T | undefined {
  let best: T | undefined;
  for (const run of runs) if (best === undefined || score(run) > score(best)) best = run;
  return best;
}

/** Each system's best run by `score`, in the order the systems first ran. */
function bestPerSystem<T extends { system: SystemName }>(runs: readonly T[], score: (run: T) => number): T[] {
  return [...new Set(runs.map((run) => run.system))].map((system) => bestOf(runs.filter((run) => run.system === system), score)!);
}

/** The acknowledgement runs at 200 requests/s that count (the profiled one aside). */
function ackRunsAt200(results: BenchResults): AckResult[] {
  return results.ack.filter((run) => run.ratePerSecond === 200 && !run.profiled);
}

/** The fastest pre-filled run with this many workers. */
export function bestThroughput(results: BenchResults, workers: number): ThroughputResult | undefined {
  return bestOf(
    results.throughput.filter((t) => t.mode === 'prefilled' && t.workers === workers && !t.profiled),
    (t) => t.answersPerSecond,
  );
}

/** This system's acknowledgement run at 200 requests/s with the lowest events p99. */
export function bestAck(results: BenchResults, system: SystemName): AckResult | undefined {
  return bestOf(
    ackRunsAt200(results).filter((run) => run.system === system),
    (run) => -run.events.p99,
  );
}

/**
 * A target shown for information: the bot's figures for tool rounds. The naive baseline has no
 * tools to compare with, and these are not counted among the missed targets.
 */
export interface InformationalCheck {
  id: 'tool-first-step' | 'tool-overhead';
  target: string;
  values: Partial<Record<SystemName, number>>;
  unit: 'ms';
  /** Whether the bot's figure is within it; undefined when there was no tool run to read it from. */
  met: boolean | undefined;
  note?: string;
}

export function informationalChecks(results: BenchResults): InformationalCheck[] {
  const runs = toolRuns(results);
  const highest = (of: typeof runs, value: (run: (typeof runs)[number]) => number): Partial<Record<SystemName, number>> => {
    const values: Partial<Record<SystemName, number>> = {};
    for (const run of of) {
      const figure = value(run);
      if (Number.isNaN(figure)) continue;
      values[run.system] = Math.max(values[run.system] ?? Number.NEGATIVE_INFINITY, figure);
    }
    return values;
  };
  const within = (values: Partial<Record<SystemName, number>>, bar: number): boolean | undefined => {
    const measured = BOTS.flatMap((system) => (values[system] !== undefined ? [values[system]] : []));
    return measured.length === 0 ? undefined : measured.every((value) => value < bar);
  };
  const atTwenty = runs.filter((run) => run.answers === 20);
  const firstStep = highest(atTwenty, (run) => run.figures.firstVisibleStep.p99);
  const overhead = highest(runs, (run) => run.figures.overheadPerRound.p99);
  const note = (count: number) => (count > 1 ? `the higher of the ${count} tool runs` : undefined);
  const firstStepNote = note(atTwenty.length);
  const overheadNote = note(runs.length);
  return [
    {
      id: 'tool-first-step',
      target: "Time to first visible step p99 < 1,000 ms after the model's tool call, 20 answers at once",
      values: firstStep,
      unit: 'ms',
      met: within(firstStep, 1000),
      ...(firstStepNote ? { note: firstStepNote } : {}),
    },
    { id: 'tool-overhead', target: 'Bot overhead per tool round p99 < 200 ms', values: overhead, unit: 'ms', met: within(overhead, 200), ...(overheadNote ? { note: overheadNote } : {}) },
  ];
}
