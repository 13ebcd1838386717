/**
 * Usage is counted per UTC day: one calendar for every workspace and worker, whatever their
 * clocks' time zones, and a budget that resets at one announced moment. Pure.
 */
const DAY_MS = 24 * 3600 * 1000;

/** `2026-05-01` for the UTC day containing `atMs`. */
export function utcDay(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 10);
}

/** The `count` UTC days ending with the one containing `atMs`, newest first. */
export function lastDays(atMs: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => utcDay(atMs - index * DAY_MS));
}

/** The start (ms epoch) of the UTC day after the one containing `atMs`: when daily budgets reset. */
export function nextUtcMidnight(atMs: number): number {
  return Math.floor(atMs / DAY_MS) * DAY_MS + DAY_MS;
}

/** When a day's aggregates may be dropped: the end of that day plus the retention period. */
export function expiryOfDay(day: string, retentionDays: number): number {
  const startMs = Date.parse(`${day}T00:00:00Z`);
  return Math.floor((startMs + DAY_MS * (1 + retentionDays)) / 1000);
}

/** "45 seconds", "3 minutes", "5 h 20 min": how long until something, for people. */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
