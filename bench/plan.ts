/**
 * What `npm run bench` runs, sized to finish in about ten minutes on two cores. The 100- and
 * 500-answer scenarios run the fake Slack's rate-limit clock faster (BENCHMARKS.md's set-up says how):
 * at Slack's own speed the bound alone for 500 answers is nine minutes.
 */
import type { AckOptions } from './scenarios/ack.js';
import type { MemoryOptions } from './scenarios/memory.js';
import type { StreamingOptions } from './scenarios/streaming.js';
import type { ThroughputOptions } from './scenarios/throughput.js';
import type { SystemName } from './harness/world.js';

const ALL: SystemName[] = ['bot-all', 'bot-split', 'naive'];
const ONE_BOT: SystemName[] = ['bot-all', 'naive'];

export const PLAN: { ack: AckOptions[]; streaming: StreamingOptions[]; throughput: ThroughputOptions[]; memory: MemoryOptions[] } = {
  ack: [
    ...ALL.map((system) => ({ system, ratePerSecond: 50, durationSeconds: 4 })),
    ...ALL.map((system) => ({ system, ratePerSecond: 200, durationSeconds: 3 })),
    ...ALL.map((system) => ({ system, ratePerSecond: 1000, durationSeconds: 2 })),
  ],
  streaming: [
    ...ONE_BOT.map((system) => ({ system, answers: 1, timeScale: 1 })),
    ...ALL.map((system) => ({ system, answers: 20, timeScale: 1 })),
    ...ONE_BOT.map((system) => ({ system, answers: 100, timeScale: 2 })),
    ...ONE_BOT.map((system) => ({ system, answers: 500, timeScale: 10 })),
  ],
  throughput: [
    { system: 'bot-split', mode: 'prefilled', workers: 1, answers: 600 },
    { system: 'bot-split', mode: 'prefilled', workers: 2, answers: 600 },
    { system: 'bot-all', mode: 'burst', answers: 600 },
    { system: 'naive', mode: 'burst', answers: 600 },
  ],
  memory: [
    { system: 'bot-split', answers: 1000 },
    { system: 'naive', answers: 1000 },
  ],
};
