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
  /** Worker concurrency per worker process (bot-split: answers / 2 each). */
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
const SAMPLES = 8;

export async function runMemory(options: MemoryOptions): Promise<MemoryResult> {
  const warmUp = options.warmUp ?? 20;
  const world = await startWorld({
    system: options.system,
    slackLimits: 'none',
    workspace: workspaceFor(options.answers, 3),
    pace: SLOW_PACE,
    paceFor: (id) => (id.startsWith('W') ? INSTANT_PACE : SLOW_PACE),
    env: { WORKER_CONCURRENCY: String(options.concurrency ?? options.answers) },
  });
  try {
    // Warm up (code loaded, connections open, JIT done) so "before" is the process at work, idle.
    const warm = seedQuestions(world.slack, 'W', warmUp, 3);
    const warmWatch = watchCompletion(world.slack);
    await sendRequests(world.eventsUrl, warm.map(mentionRequest), 0).done;
    await waitForAnswers(warmWatch, world.anthropic, { expected: warmUp, graceAfterStreams: () => 10_000, hardCapMs: 60_000 });
    warmWatch.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = world.answering.map((bot) => rssBytes(bot.pid));

    const questions = seedQuestions(world.slack, 'Q', options.answers, 3);
    const send = sendRequests(world.eventsUrl, questions.map(mentionRequest), 0);
    await waitForOpenStreams(world, options.answers, 60_000);
    const during = before.map(() => 0);
    let inFlight = 0;
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      inFlight = Math.max(inFlight, openStreams(world.anthropic));
      world.answering.forEach((bot, index) => (during[index] = Math.max(during[index]!, rssBytes(bot.pid))));
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
    await send.done;
    const rssBefore = sum(before);
    const rssDuring = sum(during);
    return {
      system: options.system,
      answers: options.answers,
      inFlight,
      rssBefore,
      rssDuring,
      perAnswerBytes: inFlight > 0 ? (rssDuring - rssBefore) / inFlight : Number.NaN,
      processes: before.map((value, index) => ({ before: value, during: during[index]! })),
    };
  } finally {
    await world.stop();
  }
}

/** Waits until `count` model streams are open (or the time is up: then samples whatever is open). */
async function waitForOpenStreams(world: World, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && openStreams(world.anthropic) < count) await new Promise((resolve) => setTimeout(resolve, 100));
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
