/**
 * Answers per second with a model that answers instantly and a Slack without rate limits: what
 * the bot itself costs per answer, and how it scales with worker processes. With `prefilled`, the
 * questions are queued before any worker starts, so the figure is the workers' alone; `burst`
 * sends them all at once to a single process (the way to compare with the naive bot, which has no
 * queue). CPU seconds per process over the run show where a core went.
 */
import { cpuSeconds, redisPid } from '../measure/proc.js';
import { watchCompletion, waitForAnswers } from '../harness/completion.js';
import { INSTANT_PACE } from '../harness/model-answers.js';
import { mentionRequest, seedQuestions, workspaceFor } from '../harness/questions.js';
import { startWorld, type SystemName, type World } from '../harness/world.js';
import { sendRequests } from '../load/send.js';

export interface ThroughputOptions {
  system: SystemName;
  mode: 'prefilled' | 'burst';
  /** Worker processes (prefilled only). */
  workers?: number;
  answers: number;
  hardCapMs?: number;
}

export interface ThroughputResult {
  system: SystemName;
  mode: ThroughputOptions['mode'];
  workers: number;
  answers: number;
  completed: number;
  answersPerSecond: number;
  durationMs: number;
  /** Share of one core each part used over the measured span. */
  cpu: { answering: number[]; web: number | undefined; redis: number; harness: number };
}

export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const workers = options.mode === 'prefilled' ? (options.workers ?? 1) : 0;
  const world = await startWorld({
    system: options.system,
    slackLimits: 'none',
    workspace: workspaceFor(options.answers, 3),
    pace: INSTANT_PACE,
    workers: 0,
    // No Slack limit to respect here: the budget must not be what is measured.
    env: { SLACK_UPDATES_PER_MINUTE: '1000000' },
  });
  try {
    const questions = seedQuestions(world.slack, 'T', options.answers, 3);
    const watch = watchCompletion(world.slack);
    const requests = questions.map(mentionRequest);
    let startedAt: number;
    let cpu: CpuMark;
    if (options.mode === 'prefilled') {
      await sendRequests(world.eventsUrl, requests, 0).done;
      await world.web.waitForLog(() => world.web.logs.filter((log) => log.msg === 'question queued').length >= options.answers, 60_000);
      await world.startWorkers(workers);
      cpu = markCpu(world);
      startedAt = firstPlaceholderAt(world);
    } else {
      cpu = markCpu(world);
      startedAt = Date.now();
      await sendRequests(world.eventsUrl, requests, 0).done;
    }
    await waitForAnswers(watch, world.anthropic, { expected: options.answers, graceAfterStreams: () => 15_000, hardCapMs: options.hardCapMs ?? 120_000 });
    watch.stop();
    if (options.mode === 'prefilled') startedAt = firstPlaceholderAt(world);
    const finishedAt = Math.max(...watch.completed.values());
    const durationMs = finishedAt - startedAt;
    return {
      system: options.system,
      mode: options.mode,
      workers,
      answers: options.answers,
      completed: watch.completed.size,
      answersPerSecond: (watch.completed.size / durationMs) * 1000,
      durationMs,
      cpu: cpu.shares(world),
    };
  } finally {
    await world.stop();
  }
}

/** When the first answer began: the first placeholder the workers posted. */
function firstPlaceholderAt(world: World): number {
  return world.slack.calls.find((call) => call.method === 'chat.postMessage')?.at ?? Date.now();
}

interface CpuMark {
  /** CPU used since the mark, as a share of one core over the time since the mark. */
  shares(world: World): ThroughputResult['cpu'];
}

function markCpu(world: World): CpuMark {
  const redis = redisPid(world.redis.port);
  const answering = world.answering.map((bot) => cpuSeconds(bot.pid));
  const web = world.answering.includes(world.web) ? undefined : cpuSeconds(world.web.pid);
  const redisStart = redis ? cpuSeconds(redis) : Number.NaN;
  const harness = process.cpuUsage();
  const markedAt = Date.now();
  return {
    shares(current) {
      const seconds = (Date.now() - markedAt) / 1000;
      const used = process.cpuUsage(harness);
      return {
        answering: current.answering.map((bot, index) => (cpuSeconds(bot.pid) - answering[index]!) / seconds),
        web: web === undefined ? undefined : (cpuSeconds(current.web.pid) - web) / seconds,
        redis: redis ? (cpuSeconds(redis) - redisStart) / seconds : Number.NaN,
        harness: (used.user + used.system) / 1e6 / seconds,
      };
    },
  };
}
