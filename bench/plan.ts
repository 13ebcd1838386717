/**
 * What `npm run bench` runs, sized to finish in about twelve minutes on two cores. The
 * 500-answer scenarios run the fake Slack's rate-limit clock ten times faster (BENCHMARKS.md's
 * set-up says how): at Slack's own speed the bound alone for 500 answers is nine minutes. Runs
 * marked `profile` are extra runs under node --cpu-prof, reported as breakdowns, never as figures.
 */
import type { AckOptions } from './scenarios/ack.js';
import type { MemoryOptions } from './scenarios/memory.js';
import type { StreamingOptions } from './scenarios/streaming.js';
import type { ThroughputOptions } from './scenarios/throughput.js';
import type { ToolsOptions } from './scenarios/tools.js';
import type { SystemName } from './harness/world.js';

const ALL: SystemName[] = ['bot-all', 'bot-split', 'naive'];
const ONE_BOT: SystemName[] = ['bot-all', 'naive'];

/**
 * The runs, then the same runs again: alternating, so that other work on a shared machine (which
 * only ever slows a run down) falls on both systems alike, and the better of each counts.
 */
const twice = <Run>(runs: Run[]): Run[] => [...runs, ...runs];
const thrice = <Run>(runs: Run[]): Run[] => [...runs, ...runs, ...runs];

export const PLAN: { ack: AckOptions[]; streaming: StreamingOptions[]; throughput: ThroughputOptions[]; memory: MemoryOptions[]; tools: ToolsOptions[] } = {
  ack: [
    ...ALL.map((system) => ({ system, ratePerSecond: 50, durationSeconds: 4 })),
    // 1,000 requests: the p99 is the 10th slowest, not the 6th; and that is whatever else the cores
    // were doing (a collection, another process), so the best of three runs of each is what counts:
    // of two, the one-process bot's commands p99 still moved by a third from one bench run to the next.
    ...thrice(ALL.map((system) => ({ system, ratePerSecond: 200, durationSeconds: 5 }))),
    ...ONE_BOT.map((system) => ({ system, ratePerSecond: 1000, durationSeconds: 2 })),
    { system: 'bot-split', ratePerSecond: 200, durationSeconds: 3, profile: true },
  ],
  streaming: [
    ...ONE_BOT.map((system) => ({ system, answers: 1, timeScale: 1 })),
    ...ALL.map((system) => ({ system, answers: 20, timeScale: 1 })),
    // The model thinks for 3 s before its first word: "Thinking…" first, then the words.
    ...ONE_BOT.map((system) => ({ system, answers: 20, timeScale: 1, pace: 'thinking' as const })),
    ...ONE_BOT.map((system) => ({ system, answers: 100, timeScale: 1 })),
    ...ONE_BOT.map((system) => ({ system, answers: 500, timeScale: 10 })),
    // A burst larger than the worker's slots, at the default WORKER_CONCURRENCY: how soon every asker sees a sign.
    { system: 'bot-all', answers: 500, timeScale: 10, concurrency: 16 },
  ],
  throughput: [
    // 1,000 answers: a run of a few seconds, so that the workers' start and the last answers' end are a small part of it.
    ...twice<ThroughputOptions>([
      { system: 'bot-split', mode: 'prefilled', workers: 1, answers: 1000 },
      { system: 'bot-split', mode: 'prefilled', workers: 2, answers: 1000 },
    ]),
    { system: 'bot-split', mode: 'prefilled', workers: 1, answers: 300, profile: true },
    ...twice<ThroughputOptions>([
      { system: 'bot-all', mode: 'burst', answers: 500 },
      { system: 'naive', mode: 'burst', answers: 500 },
    ]),
  ],
  // RSS moves with when the collector last ran: the lower of two runs of each counts.
  memory: twice<MemoryOptions>([
    { system: 'bot-split', answers: 1000 },
    { system: 'naive', answers: 1000 },
  ]),
  // The bot only (the naive baseline has no tools): 20 look-ups at once, one round, then two.
  tools: [
    { system: 'bot-all', answers: 20, rounds: 1 },
    { system: 'bot-all', answers: 20, rounds: 2 },
  ],
};
