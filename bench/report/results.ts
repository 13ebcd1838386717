/** Everything one `npm run bench` measured, as the report renders it. */
import type { MachineFacts } from '../measure/proc.js';
import type { QueueFloor } from '../measure/queue-floor.js';
import type { AckResult } from '../scenarios/ack.js';
import type { MemoryResult } from '../scenarios/memory.js';
import type { StreamingResult } from '../scenarios/streaming.js';
import type { ThroughputResult } from '../scenarios/throughput.js';
import type { ToolsResult } from '../scenarios/tools.js';

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
  /** BullMQ's own commands per job with the bot's job options (measured with the throughput runs). */
  queueFloor?: QueueFloor;
  /** Tool rounds (the bot only). Absent from results files written before the scenario existed: read it with toolRuns(). */
  tools?: ToolsResult[];
  /** The run this one is compared with (BENCH_COMPARE), when there is one. */
  previous?: BenchResults;
}

/** Results as JSON (Infinity and NaN, which JSON lacks, as strings), so a report can be rendered again. */
export function resultsToJson(results: BenchResults): string {
  return JSON.stringify(results, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2);
}

/** Results never hold null: a null in the file is a number JSON could not write (plain JSON.stringify makes NaN null). */
export function resultsFromJson(json: string): BenchResults {
  return JSON.parse(json, (_key, value: unknown) => (value === null ? Number.NaN : value === 'Infinity' || value === 'NaN' || value === '-Infinity' ? Number(value) : value)) as BenchResults;
}

/** The tool-round runs; none in a results file from before that scenario. */
export function toolRuns(results: BenchResults): ToolsResult[] {
  return results.tools ?? [];
}
