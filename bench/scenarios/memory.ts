/**
 * Resident memory per answer in flight: the answering processes' RSS (from /proc) once warmed up
 * and idle, then while 1,000 answers stream at once (a slow model keeps them all open), divided by
 * the number of streams open. Slack's limits are off here so that every answer reaches the model
 * at once instead of waiting for a thread read; the bot's own update budget still applies.
 */
import { rssBytes } from '../measure/proc.js';
import { openStreams } from '../measure/timelines.js';
import { watchCompletion, waitForAnswers } from '../harness/completion.js';
import { INSTANT_PACE, type ModelPace } from '../harness/model-answers.js';
import { mentionRequest, seedQuestions, workspaceFor } from '../harness/questions.js';
import { startWorld, type SystemName, type World } from '../harness/world.js';
import { sendRequests } from '../load/send.js';

export interface MemoryOptions {
  system: SystemName;
  answers: number;
  /** WORKER_CONCURRENCY of each answering process; default: the answers shared among them. */
  concurrency?: number;
  warmUp?: number;
}

export interface MemoryResult {
  system: SystemName;
  answers: number;
  /** Most streams open at once while sampling. */
  inFlight: number;
  /** Summed RSS of the answering processes (bytes). */
  rssBefore: number;
  rssDuring: number;
  perAnswerBytes: number;
  /** Per answering process, before and during (bytes). */
  processes: Array<{ before: number; during: number }>;
}

/** Slow enough that every answer is still streaming while memory is sampled. */
const SLOW_PACE: ModelPace = { ttftMs: 300, tokensPerSecond: 40, chunkSize: 64, answerChars: 3600 };
const SAMPLE_EVERY_MS = 250;
/** Samples at rest, and while every stream is open (the highest counts). */
const SAMPLES = 12;

export async function runMemory(options: MemoryOptions): Promise<MemoryResult> {
  const warmUp = options.warmUp ?? 20;
  const world = await startWorld({
    system: options.system,
    slackLimits: 'none',
    workspace: workspaceFor(options.answers, 3),
    pace: SLOW_PACE,
    paceFor: (id) => (id.startsWith('W') ? INSTANT_PACE : SLOW_PACE),
    env: { WORKER_CONCURRENCY: String(options.concurrency ?? Math.ceil(options.answers / (options.system === 'bot-split' ? 2 : 1))) },
  });
  try {
    // Warm up (code loaded, connections open, JIT done) so "before" is the process at work, idle.
    const warm = seedQuestions(world.slack, 'W', warmUp, 3);
    const warmWatch = watchCompletion(world.slack);
    await sendRequests(world.eventsUrl, warm.map(mentionRequest), 0).done;
    await waitForAnswers(warmWatch, world.anthropic, { expected: warmUp, graceAfterStreams: () => 10_000, hardCapMs: 60_000 });
    warmWatch.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = await idleRss(world);

    const questions = seedQuestions(world.slack, 'Q', options.answers, 3);
    const send = sendRequests(world.eventsUrl, questions.map(mentionRequest), 0);
    const peak = await samplePeak(world, before, options.answers);
    await send.done;
    const rssBefore = sum(before);
    const rssDuring = sum(peak.rss);
    return {
      system: options.system,
      answers: options.answers,
      inFlight: peak.inFlight,
      rssBefore,
      rssDuring,
      perAnswerBytes: peak.inFlight > 0 ? (rssDuring - rssBefore) / peak.inFlight : Number.NaN,
      processes: before.map((value, index) => ({ before: value, during: peak.rss[index]! })),
    };
  } finally {
    await world.stop();
  }
}

/**
 * Samples while the answers ramp up and stream: the most streams open at once, and each process's
 * highest RSS. Stops a few samples after all `count` streams are open, once fewer are open than at
 * the peak (answers finishing), or after a minute — so a slow machine still gets a figure.
 */
async function samplePeak(world: World, before: number[], count: number): Promise<{ inFlight: number; rss: number[] }> {
  const rss = [...before];
  let inFlight = 0;
  let samplesAtFull = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && samplesAtFull < SAMPLES) {
    const open = openStreams(world.anthropic);
    inFlight = Math.max(inFlight, open);
    world.answering.forEach((bot, index) => (rss[index] = Math.max(rss[index]!, rssBytes(bot.pid))));
    if (open >= count) samplesAtFull += 1;
    else if (inFlight > 0 && open < inFlight * 0.9) break;
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
  }
  return { inFlight, rss };
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/**
 * Each process's RSS at rest: the median of a few samples, since a single one may catch the heap
 * just before or just after the collector gives memory back.
 */
async function idleRss(world: World): Promise<number[]> {
  const samples: number[][] = world.answering.map(() => []);
  for (let i = 0; i < SAMPLES; i += 1) {
    world.answering.forEach((bot, index) => samples[index]!.push(rssBytes(bot.pid)));
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
  }
  return samples.map((values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
}
