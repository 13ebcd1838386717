/** How figures are written in the report. Pure. */
import type { Summary } from '../measure/stats.js';

export function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (value === Number.POSITIVE_INFINITY) return '∞';
  if (Math.abs(value) >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (Math.abs(value) >= 100) return `${Math.round(value)} ms`;
  return `${value.toFixed(1)} ms`;
}

export function times(value: number | undefined, digits = 2): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (value === Number.POSITIVE_INFINITY) return '∞';
  return `${value.toFixed(digits)}×`;
}

export function num(value: number | undefined, digits = 1): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (value === Number.POSITIVE_INFINITY) return '∞';
  return value.toFixed(digits);
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : '–';
}

export function kib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(0)} KB` : '–';
}

/** "p50 / p95 / p99 / max". */
export function spread(summary: Summary, keys: Array<'p50' | 'p95' | 'p99' | 'max'> = ['p50', 'p95', 'p99', 'max']): string {
  return summary.n === 0 ? '–' : keys.map((key) => ms(summary[key])).join(' / ');
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
