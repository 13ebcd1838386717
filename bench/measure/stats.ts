/**
 * Distribution summaries for the bench: nearest-rank percentiles (no interpolation, so every
 * figure is a value that was actually measured). Pure.
 */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of values sorted ascending; NaN for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
  };
}

/** `a / b`; Infinity when only `a` is infinite (never came); NaN when it cannot be stated. */
export function ratio(a: number, b: number): number {
  if (a === Number.POSITIVE_INFINITY && Number.isFinite(b) && b > 0) return Number.POSITIVE_INFINITY;
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN;
}

/**
 * Percentile of a distribution where `missing` items never happened (an answer never completed):
 * they rank after every measured value, so the percentile is Infinity once it falls among them.
 */
export function percentileWithMissing(values: readonly number[], missing: number, p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const all = [...sorted, ...new Array<number>(Math.max(0, missing)).fill(Number.POSITIVE_INFINITY)];
  return percentile(all, p);
}
