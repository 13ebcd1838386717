/**
 * Acknowledgement time: Slack waits for the HTTP answer to every event and command (and retries
 * after 3 s), so the bot must answer at once whatever load it is under. Requests arrive at a fixed
 * rate — four `app_mention` events to one `/aws` command — each a real question that is then
 * answered, and the sender process times each request until its HTTP answer.
 */
import { rmSync } from 'node:fs';
import { REPO_ROOT } from '../../test/support/bot.js';
import { componentShares, profilingArgs, readProcessProfile, type ComponentShare } from '../measure/cpu-profile.js';
import { cpuSeconds } from '../measure/proc.js';
import { redisCommandsProcessed } from '../measure/redis-stats.js';
import { summarize, type Summary } from '../measure/stats.js';
import { REALISTIC_PACE } from '../harness/model-answers.js';
import { commandRequest, mentionRequest, seedQuestions, workspaceFor, type SlackRequest } from '../harness/questions.js';
import { startWorld, type SystemName } from '../harness/world.js';
import { sendRequests } from '../load/send.js';

export interface AckOptions {
  system: SystemName;
  ratePerSecond: number;
  durationSeconds: number;
  /** Profile the receiving process (node --cpu-prof). Profiling slows it, so such a run is not an acknowledgement figure. */
  profile?: boolean;
}

export interface AckResult {
  system: SystemName;
  ratePerSecond: number;
  /** Rate the sender achieved (requests over the span of their send times). */
  achievedRate: number;
  events: Summary;
  commands: Summary;
  /** Requests answered with anything but HTTP 200 (or not at all). */
  failed: number;
  /** Share of one core the process receiving the requests used while they were sent (with the answering, when it is one process). */
  webCpu: number;
  /** CPU seconds the receiving process used per request, in ms. */
  webCpuPerRequestMs: number;
  /** Redis commands per request while they were sent (the answering included, where it runs meanwhile). */
  redisCommandsPerRequest: number;
  profiled: boolean;
  /** Where the receiving process's CPU went, when profiled. */
  profile?: ComponentShare[];
}

const COMMAND_EVERY = 5;

export async function runAck(options: AckOptions): Promise<AckResult> {
  const count = Math.round(options.ratePerSecond * options.durationSeconds);
  const profiling = options.profile ? profilingArgs() : undefined;
  const world = await startWorld({
    system: options.system,
    slackLimits: 'published',
    workspace: workspaceFor(count, 3),
    pace: REALISTIC_PACE,
    ...(profiling ? { webNodeArgs: profiling.nodeArgs, env: { SHUTDOWN_GRACE_MS: '0' } } : {}),
  });
  try {
    const questions = seedQuestions(world.slack, 'A', count, 3);
    const requests: SlackRequest[] = questions.map((question, index) =>
      index % COMMAND_EVERY === COMMAND_EVERY - 1
        ? commandRequest(question, world.slack.responseUrl({ channel: question.channel, user: question.user }))
        : mentionRequest(question),
    );
    const cpuBefore = cpuSeconds(world.web.pid);
    const redisBefore = await redisCommandsProcessed(world.redis.url);
    const results = await sendRequests(world.eventsUrl, requests, options.ratePerSecond).done;
    const sentTimes = results.map((result) => result.sentAt);
    const span = (Math.max(...sentTimes) - Math.min(...sentTimes)) / 1000;
    const lastAck = Math.max(...results.map((result) => result.sentAt + result.ms));
    const webCpuSeconds = cpuSeconds(world.web.pid) - cpuBefore;
    const redisCommands = (await redisCommandsProcessed(world.redis.url)) - redisBefore;
    const webCpu = webCpuSeconds / Math.max(0.001, (lastAck - Math.min(...sentTimes)) / 1000);
    let profile: ComponentShare[] | undefined;
    if (profiling) {
      await world.web.kill('SIGTERM');
      const written = readProcessProfile(profiling.dir, world.web.pid);
      if (written) profile = componentShares(written, REPO_ROOT, 'src/slack/');
    }
    return {
      system: options.system,
      ratePerSecond: options.ratePerSecond,
      achievedRate: span > 0 ? (results.length - 1) / span : Number.NaN,
      events: summarize(results.filter((result) => result.kind === 'event' && result.status === 200).map((result) => result.ms)),
      commands: summarize(results.filter((result) => result.kind === 'command' && result.status === 200).map((result) => result.ms)),
      failed: results.filter((result) => result.status !== 200).length,
      webCpu,
      webCpuPerRequestMs: (webCpuSeconds * 1000) / results.length,
      redisCommandsPerRequest: redisCommands / results.length,
      profiled: profiling !== undefined,
      ...(profile ? { profile } : {}),
    };
  } finally {
    await world.stop();
    if (profiling) rmSync(profiling.dir, { recursive: true, force: true });
  }
}
