/**
 * Answers per second with a model that answers instantly and a Slack without rate limits: what
 * the bot itself costs per answer, and how it scales with worker processes. With `prefilled`, the
 * questions are queued before any worker starts, so the figure is the workers' alone; `burst`
 * sends them all at once to a single process (the way to compare with the naive bot, which has no
 * queue). CPU seconds per process over the run show where a core went.
 */
import { rmSync } from 'node:fs';
import { REPO_ROOT } from '../../test/support/bot.js';
import { componentShares, profilingArgs, readProcessProfile, type ComponentShare } from '../measure/cpu-profile.js';
import { cpuSeconds, redisPid } from '../measure/proc.js';
import { countCalls } from '../measure/timelines.js';
import { commandsPer, redisStats, type RedisStats } from '../measure/redis-stats.js';
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
  /** Prefilled only: profile the worker (node --cpu-prof). Profiling slows it, so such a run is not a throughput figure. */
  profile?: boolean;
}

export interface ThroughputResult {
  system: SystemName;
  mode: ThroughputOptions['mode'];
  workers: number;
  answers: number;
  completed: number;
  answersPerSecond: number;
  durationMs: number;
  /** Slack Web API calls per answer over the measured span. */
  slackCallsPerAnswer: number;
  /** Redis commands per answer over the measured span (workers and web alike), those run inside Lua scripts included. */
  redisCommandsPerAnswer: number;
  /** The same by command, most first. */
  redisCommandsByName: Array<{ command: string; calls: number }>;
  /** Share of one core each part used over the measured span. */
  cpu: { answering: number[]; web: number | undefined; redis: number; harness: number };
  profiled: boolean;
  /** Where the (first) worker's CPU went, when profiled. */
  profile?: ComponentShare[];
}

export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const workers = options.mode === 'prefilled' ? (options.workers ?? 1) : 0;
  const world = await startWorld({
    system: options.system,
    slackLimits: 'none',
    workspace: workspaceFor(options.answers, 3),
    pace: INSTANT_PACE,
    workers: 0,
    // No Slack limit to respect here: the budget must not be what is measured. A worker asked to
    // stop exits at once (and so writes its CPU profile).
    env: { SLACK_UPDATES_PER_MINUTE: '1000000', SHUTDOWN_GRACE_MS: '0' },
  });
  const profiling = options.profile ? profilingArgs() : undefined;
  try {
    const questions = seedQuestions(world.slack, 'T', options.answers, 3);
    const watch = watchCompletion(world.slack);
    const requests = questions.map(mentionRequest);
    let startedAt: number;
    let cpu: CpuMark;
    let redisBefore: RedisStats;
    if (options.mode === 'prefilled') {
      await sendRequests(world.eventsUrl, requests, 0).done;
      await world.web.waitForLog(() => world.web.logs.filter((log) => log.msg === 'question queued').length >= options.answers, 60_000);
      redisBefore = await redisStats(world.redis.url);
      await world.startWorkers(workers, profiling?.nodeArgs);
      cpu = markCpu(world);
      startedAt = firstPlaceholderAt(world);
    } else {
      redisBefore = await redisStats(world.redis.url);
      cpu = markCpu(world);
      startedAt = Date.now();
      await sendRequests(world.eventsUrl, requests, 0).done;
    }
    await waitForAnswers(watch, world.anthropic, { expected: options.answers, graceAfterStreams: () => 15_000, hardCapMs: options.hardCapMs ?? 120_000 });
    watch.stop();
    if (options.mode === 'prefilled') startedAt = firstPlaceholderAt(world);
    const finishedAt = Math.max(...watch.completed.values());
    const durationMs = finishedAt - startedAt;
    const shares = cpu.shares(world);
    const redisAfter = await redisStats(world.redis.url);
    const profile = profiling ? await readWorkerProfile(world, profiling.dir) : undefined;
    return {
      system: options.system,
      mode: options.mode,
      workers,
      answers: options.answers,
      completed: watch.completed.size,
      answersPerSecond: (watch.completed.size / durationMs) * 1000,
      durationMs,
      cpu: shares,
      slackCallsPerAnswer: countCalls(world.slack, startedAt).total / Math.max(1, watch.completed.size),
      redisCommandsPerAnswer: (redisAfter.total - redisBefore.total) / Math.max(1, watch.completed.size),
      redisCommandsByName: commandsPer(redisBefore, redisAfter, watch.completed.size),
      profiled: profiling !== undefined,
      ...(profile ? { profile } : {}),
    };
  } finally {
    await world.stop();
    if (profiling) rmSync(profiling.dir, { recursive: true, force: true });
  }
}

/** Stops the first worker so that node writes its profile, and reads where its CPU went. */
async function readWorkerProfile(world: World, dir: string): Promise<ComponentShare[] | undefined> {
  const worker = world.answering[0];
  if (!worker) return undefined;
  await worker.kill('SIGTERM');
  const profile = readProcessProfile(dir, worker.pid);
  return profile ? componentShares(profile, REPO_ROOT) : undefined;
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
