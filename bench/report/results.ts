/** Everything one `npm run bench` measured, as the report renders it. */
import type { MachineFacts } from '../measure/proc.js';
import type { AckResult } from '../scenarios/ack.js';
import type { MemoryResult } from '../scenarios/memory.js';
import type { StreamingResult } from '../scenarios/streaming.js';
import type { ThroughputResult } from '../scenarios/throughput.js';

export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  commit: string;
  machine: MachineFacts;
  /** /proc/loadavg's 1-minute figure before and after the run: other work on the machine skews figures. */
  loadBefore: number;
  loadAfter: number;
  ack: AckResult[];
  streaming: StreamingResult[];
  throughput: ThroughputResult[];
  memory: MemoryResult[];
}

/** Results as JSON (Infinity, which JSON lacks, as a string), so a report can be rendered again. */
export function resultsToJson(results: BenchResults): string {
  return JSON.stringify(results, (_key, value: unknown) => (value === Number.POSITIVE_INFINITY ? 'Infinity' : value), 2);
}

export function resultsFromJson(json: string): BenchResults {
  return JSON.parse(json, (_key, value: unknown) => (value === 'Infinity' ? Number.POSITIVE_INFINITY : value)) as BenchResults;
}
