/**
 * The issue's targets, checked against one run's results for the bot and, for comparison, for the
 * naive baseline. Pure.
 */
import { ratio } from '../measure/stats.js';
import type { StreamingResult } from '../scenarios/streaming.js';
import type { SystemName } from '../harness/world.js';
import type { BenchResults } from './results.js';

export type TargetId = 'ack-events' | 'ack-commands' | 'first-visible' | 'final-lag-20' | 'final-lag-bound' | 'delivery' | 'scaling' | 'memory';

export interface TargetCheck {
  id: TargetId;
  /** The scenario's size where the target names one (answers at once). */
  answers?: number;
  target: string;
  /** The figure for each system that ran, in ms / ratio / bytes as the target states. */
  values: Partial<Record<SystemName, number>>;
  unit: 'ms' | 'x' | 'KB' | 'count';
  /** Whether the bot met it (every bot system that ran); undefined when it could not be measured. */
  met: boolean | undefined;
  note?: string;
}

const BOTS: SystemName[] = ['bot-all', 'bot-split'];

/** When Slack's limit imposes less than this, the 20-answer target (p99 under 2 s) is the bar. */
export const FINAL_LAG_FLOOR_MS = 2000;

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const perSystem = <T>(items: T[], systemOf: (item: T) => SystemName, value: (item: T) => number) => {
    const values: Partial<Record<SystemName, number>> = {};
    for (const item of items) values[systemOf(item)] = value(item);
    return values;
  };
  const botsMeet = (values: Partial<Record<SystemName, number>>, ok: (value: number) => boolean): boolean | undefined => {
    // Infinity is a measurement (an answer that never completed); NaN is not.
    const measured = BOTS.filter((system) => values[system] !== undefined && !Number.isNaN(values[system]!));
    return measured.length === 0 ? undefined : measured.every((system) => ok(values[system]!));
  };

  const ack200 = results.ack.filter((a) => a.ratePerSecond === 200 && !a.profiled);
  for (const kind of ['events', 'commands'] as const) {
    const values = perSystem(ack200, (a) => a.system, (a) => a[kind].p99);
    checks.push({ id: kind === 'events' ? 'ack-events' : 'ack-commands', target: `Acknowledgement p99 < 50 ms at 200 requests/s (${kind})`, values, unit: 'ms', met: botsMeet(values, (v) => v < 50) });
  }

  for (const answers of [1, 20]) {
    const runs = results.streaming.filter((s) => s.answers === answers);
    const values = perSystem(runs, (s) => s.system, (s) => s.figures.overheadToFirstVisible.p50);
    checks.push({ id: 'first-visible', answers, target: `Overhead to first visible text p50 < 100 ms (${answers} answer${answers === 1 ? '' : 's'} at once)`, values, unit: 'ms', met: botsMeet(values, (v) => v < 100) });
  }

  const twenty = results.streaming.filter((s) => s.answers === 20);
  const lag20 = perSystem(twenty, (s) => s.system, finalLagP99);
  checks.push({ id: 'final-lag-20', answers: 20, target: 'Final lag p99 < 2 s (20 answers at once)', values: lag20, unit: 'ms', met: botsMeet(lag20, (v) => v < 2000) });

  for (const answers of [100, 500]) {
    const runs = results.streaming.filter((s) => s.answers === answers);
    const values = perSystem(runs, (s) => s.system, (s) => ratio(finalLagP99(s), Math.max(s.figures.finalLagBound.p99, FINAL_LAG_FLOOR_MS)));
    const scale = runs[0]?.timeScale;
    checks.push({
      id: 'final-lag-bound',
      answers,
      target: `Final lag p99 within 1.2× of Slack's lower bound (${answers} answers at once${scale && scale !== 1 ? `, limits' clock ×${scale}` : ''})`,
      values,
      unit: 'x',
      met: botsMeet(values, (v) => v <= 1.2),
      note: `ratio = measured p99 / max(bound p99, ${FINAL_LAG_FLOOR_MS / 1000} s)`,
    });
  }

  const count = (kinds: Array<'lost' | 'duplicated' | 'incomplete'>) =>
    perSystem(
      (['bot-all', 'bot-split', 'naive'] as SystemName[]).flatMap((system) => {
        const runs = results.streaming.filter((s) => s.system === system);
        return runs.length > 0 ? [{ system, count: runs.reduce((n, s) => n + kinds.reduce((k, kind) => k + s.figures.delivery[kind], 0), 0) }] : [];
      }),
      (f) => f.system,
      (f) => f.count,
    );
  const lostOrDuplicated = count(['lost', 'duplicated']);
  checks.push({ id: 'delivery', target: 'No answer lost or duplicated (all streaming runs)', values: lostOrDuplicated, unit: 'count', met: botsMeet(lostOrDuplicated, (v) => v === 0) });
  const incomplete = count(['incomplete']);
  checks.push({
    id: 'delivery',
    target: 'No answer left incomplete (all streaming runs, within the wait each allows)',
    values: incomplete,
    unit: 'count',
    met: botsMeet(incomplete, (v) => v === 0),
  });

  const one = bestThroughput(results, 1);
  const two = bestThroughput(results, 2);
  const scaling = one && two ? ratio(two.answersPerSecond, one.answersPerSecond) : Number.NaN;
  checks.push({
    id: 'scaling',
    target: 'Throughput with two worker processes ≥ 1.7× one (best of the runs of each)',
    values: Number.isFinite(scaling) ? { 'bot-split': scaling } : {},
    unit: 'x',
    met: Number.isFinite(scaling) ? scaling >= 1.7 : undefined,
  });

  const memory = perSystem(results.memory, (m) => m.system, (m) => m.perAnswerBytes / 1024);
  checks.push({ id: 'memory', target: 'Resident memory < 100 KB per in-flight answer (1,000 at once)', values: memory, unit: 'KB', met: botsMeet(memory, (v) => v < 100) });
  return checks;
}

/** p99 final lag counting answers that never completed as infinitely late. */
export function finalLagP99(run: StreamingResult): number {
  return run.figures.finalLagP99WithMissing;
}

/** The fastest pre-filled run with this many workers (interference only ever slows a run). */
export function bestThroughput(results: BenchResults, workers: number): BenchResults['throughput'][number] | undefined {
  return results.throughput
    .filter((t) => t.mode === 'prefilled' && t.workers === workers && !t.profiled)
    .sort((a, b) => b.answersPerSecond - a.answersPerSecond)[0];
}
