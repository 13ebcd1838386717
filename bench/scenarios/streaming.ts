/**
 * N answers streaming at once in one workspace with Slack's published limits: N people ask in
 * N / 3 channels within a fraction of a second, the model streams at a realistic pace, and the
 * scenario measures what Slack shows — first text, complete answer — against the model's tokens.
 */
import type { FakeAnthropic } from '../../test/fakes/anthropic.js';
import { busiestWindow, CHAT_UPDATE_TIER3, finalLagBounds, scaledLimit, type WindowLimit } from '../measure/slack-bound.js';
import { summarize, type Summary } from '../measure/stats.js';
import { streamingFigures, type StreamingFigures } from '../measure/streaming-figures.js';
import { countCalls, peakConcurrentStreams, readTimelines, type CallCounts } from '../measure/timelines.js';
import { watchCompletion, waitForAnswers, type WaitOutcome } from '../harness/completion.js';
import { REALISTIC_PACE, THINKING_PACE, type ModelPace } from '../harness/model-answers.js';
import { mentionRequest, seedQuestions, workspaceFor } from '../harness/questions.js';
import { startWorld, type SystemName } from '../harness/world.js';
import { sendRequests } from '../load/send.js';

export interface StreamingOptions {
  system: SystemName;
  answers: number;
  /** The fake's rate-limit clock runs this many times faster than Slack's. */
  timeScale: number;
  /** Questions per channel (chat.postMessage is limited per channel). */
  perChannel?: number;
  /** The model's pace: realistic (a short think), thinking (3 s before the first word), or one of its own. */
  pace?: 'realistic' | 'thinking' | ModelPace;
  /** WORKER_CONCURRENCY; default enough for every answer to stream at once. */
  concurrency?: number;
  /** Give up this long after the last model stream ended, at least (ms). */
  minGraceMs?: number;
  hardCapMs?: number;
}

export interface StreamingResult {
  system: SystemName;
  answers: number;
  timeScale: number;
  pace: 'realistic' | 'thinking' | 'custom';
  /** WORKER_CONCURRENCY of the answering process. */
  concurrency: number;
  channels: number;
  waited: WaitOutcome;
  figures: StreamingFigures;
  /** Event received → job started, from the bot's `answering` logs (ms). */
  queueWait: Summary;
  calls: CallCounts;
  /** The most chat.update calls Slack accepted in any one window, of the `count` it allows. */
  busiestUpdateWindow: number;
  updateLimit: WindowLimit;
  peakStreams: number;
  durationMs: number;
}

export async function runStreaming(options: StreamingOptions): Promise<StreamingResult> {
  const perChannel = options.perChannel ?? 3;
  const workspace = workspaceFor(options.answers, perChannel);
  const limit = scaledLimit(CHAT_UPDATE_TIER3, options.timeScale);
  const pace = typeof options.pace === 'object' ? 'custom' : (options.pace ?? 'realistic');
  const concurrency = options.concurrency ?? Math.max(16, options.answers);
  const world = await startWorld({
    system: options.system,
    slackLimits: 'published',
    timeScale: options.timeScale,
    workspace,
    pace: typeof options.pace === 'object' ? options.pace : pace === 'thinking' ? THINKING_PACE : REALISTIC_PACE,
    // By default enough concurrency that every answer streams at once, as the scenario asks.
    env: { WORKER_CONCURRENCY: String(concurrency) },
  });
  try {
    const questions = seedQuestions(world.slack, 'Q', options.answers, perChannel);
    const watch = watchCompletion(world.slack);
    const since = Date.now();
    const sent = await sendRequests(world.eventsUrl, questions.map(mentionRequest), 0).done;
    const sentAt = new Map(sent.map((result) => [result.id, result.sentAt]));
    const minGraceMs = options.minGraceMs ?? 20_000;
    let graceMs: number | undefined;
    const waited = await waitForAnswers(watch, world.anthropic, {
      expected: options.answers,
      // What Slack's limit itself imposes on these answers, with the target's 1.2× and a margin:
      // an answer later than that has missed the target anyway, and counts as incomplete.
      graceAfterStreams: () => (graceMs ??= Math.max(minGraceMs, 1.2 * maxBoundMs(world.anthropic, limit) + 10_000)),
      hardCapMs: options.hardCapMs ?? 240_000,
    });
    watch.stop();
    const durationMs = Date.now() - since;
    const timelines = readTimelines(
      questions.map((question) => ({ ...question, sentAt: sentAt.get(question.id) ?? since })),
      world.slack,
      world.anthropic,
    );
    const queueWaits = world
      .logs()
      .filter((log) => log.msg === 'answering' && typeof log.queueWaitMs === 'number')
      .map((log) => log.queueWaitMs as number);
    return {
      system: options.system,
      answers: options.answers,
      timeScale: options.timeScale,
      pace,
      concurrency,
      channels: workspace.channels.length,
      waited,
      figures: streamingFigures(timelines, limit),
      queueWait: summarize(queueWaits),
      calls: countCalls(world.slack, since),
      busiestUpdateWindow: busiestWindow(
        world.slack.calls.filter((call) => call.method === 'chat.update' && call.ok && call.at >= since).map((call) => call.at),
        limit.windowMs,
      ),
      updateLimit: limit,
      peakStreams: peakConcurrentStreams(world.anthropic),
      durationMs,
    };
  } finally {
    await world.stop();
  }
}

/** The longest final lag Slack's limit imposes on the answers the model has finished. */
function maxBoundMs(anthropic: FakeAnthropic, limit: WindowLimit): number {
  const lastTokens = anthropic.messageRequests().flatMap((request) => (request.lastTokenAt !== undefined ? [request.lastTokenAt] : []));
  return Math.max(0, ...finalLagBounds(lastTokens, limit));
}
