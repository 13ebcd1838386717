/**
 * Acknowledgement time: Slack waits for the HTTP answer to every event and command (and retries
 * after 3 s), so the bot must answer at once whatever load it is under. Requests arrive at a fixed
 * rate — four `app_mention` events to one `/aws` command — each a real question that is then
 * answered, and the sender process times each request until its HTTP answer.
 */
import { cpuSeconds } from '../measure/proc.js';
import { summarize, type Summary } from '../measure/stats.js';
import { REALISTIC_PACE } from '../harness/model-answers.js';
import { commandRequest, mentionRequest, seedQuestions, workspaceFor, type SlackRequest } from '../harness/questions.js';
import { startWorld, type SystemName } from '../harness/world.js';
import { sendRequests } from '../load/send.js';

export interface AckOptions {
  system: SystemName;
  ratePerSecond: number;
  durationSeconds: number;
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
}

const COMMAND_EVERY = 5;

export async function runAck(options: AckOptions): Promise<AckResult> {
  const count = Math.round(options.ratePerSecond * options.durationSeconds);
  const world = await startWorld({ system: options.system, slackLimits: 'published', workspace: workspaceFor(count, 3), pace: REALISTIC_PACE });
  try {
    const questions = seedQuestions(world.slack, 'A', count, 3);
    const requests: SlackRequest[] = questions.map((question, index) =>
      index % COMMAND_EVERY === COMMAND_EVERY - 1
        ? commandRequest(question, world.slack.responseUrl({ channel: question.channel, user: question.user }))
        : mentionRequest(question),
    );
    const cpuBefore = cpuSeconds(world.web.pid);
    const results = await sendRequests(world.eventsUrl, requests, options.ratePerSecond).done;
    const sentTimes = results.map((result) => result.sentAt);
    const span = (Math.max(...sentTimes) - Math.min(...sentTimes)) / 1000;
    const lastAck = Math.max(...results.map((result) => result.sentAt + result.ms));
    const webCpu = (cpuSeconds(world.web.pid) - cpuBefore) / Math.max(0.001, (lastAck - Math.min(...sentTimes)) / 1000);
    return {
      system: options.system,
      ratePerSecond: options.ratePerSecond,
      achievedRate: span > 0 ? (results.length - 1) / span : Number.NaN,
      events: summarize(results.filter((result) => result.kind === 'event' && result.status === 200).map((result) => result.ms)),
      commands: summarize(results.filter((result) => result.kind === 'command' && result.status === 200).map((result) => result.ms)),
      failed: results.filter((result) => result.status !== 200).length,
      webCpu,
    };
  } finally {
    await world.stop();
  }
}
