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
