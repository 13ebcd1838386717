import type { HomeSettings } from '../core/home-view.js';
import type { HandledFailure, JobHandle, JobHandlers, QuestionJob } from '../core/jobs.js';
import { CANNOT_POST_ERRORS, cannotAnswerThereText } from '../core/message-subject.js';
import type { Logger } from '../ops/logger.js';
import { postToResponseUrl } from '../publish/response-url.js';
import { slackErrorCode } from '../publish/slack-web.js';
import { answerQuestion, tellAnswerFailed, type QuestionDeps } from './answer-question.js';
import { handleAssistantGreeting } from './assistant-greeting.js';
import { handleCommandQuestion, type Enqueue } from './command-question.js';
import { publishHomeTab } from './home-tab.js';
import { handleNotice } from './notice.js';
import { sendUsageReport, type UsageReportDeps } from './usage-report.js';

/** What a worker does with each kind of job; handed to the queue's worker by the composition root. */
export interface WorkerDeps extends QuestionDeps {
  enqueue: Enqueue;
  usageReports: UsageReportDeps | undefined;
  /** The settings the Home tab shows admins; absent, it lists only the budgets. */
  homeSettings?: HomeSettings | undefined;
}

export function jobHandlers(deps: WorkerDeps): JobHandlers {
  // Every job's log lines name it, whichever process and handler writes them.
  const forJob = (job: { id: string; data: { kind: string; teamId: string; channel: string; threadTs?: string | undefined } }) => ({
    ...deps,
    logger: deps.logger.child({ jobId: job.id, kind: job.data.kind, teamId: job.data.teamId, channel: job.data.channel, ...(job.data.threadTs ? { threadTs: job.data.threadTs } : {}) }),
  });
  return {
    question: {
      run: async (job, signal) => {
        const jobDeps = forJob(job);
        const log = jobDeps.logger;
        let outcome: Awaited<ReturnType<typeof answerQuestion>>;
        try {
          outcome = await answerQuestion(job, jobDeps, signal);
        } catch (error) {
          const told = await tellShortcutCannotAnswerThere(job, error, log);
          if (told) return told;
          throw error;
        }
        // A failure the person was told about is final for the queue: Retry re-runs it on request.
        return outcome?.status === 'failed' ? { failed: outcome.error?.message ?? 'answer failed' } : outcome?.status;
      },
      gaveUp: (job, error) => tellAnswerFailed(job, forJob(job), error),
    },
    'command-question': { run: (job, signal) => handleCommandQuestion(job, forJob(job), signal) },
    notice: { run: (job) => handleNotice(job.data, forJob(job)) },
    'assistant-greeting': { run: (job) => handleAssistantGreeting(job, forJob(job)) },
    'usage-report': {
      run: async (job) => {
        if (!deps.usageReports) throw new Error('usage accounting is not configured in this worker');
        await sendUsageReport(job.data, deps.usageReports);
      },
    },
    'home-tab': {
      run: async (job) => {
        if (!deps.usageReports) throw new Error('usage accounting is not configured in this worker');
        await publishHomeTab(job.data, { slack: deps.messages.slack, usage: deps.usageReports, settings: deps.homeSettings, logger: forJob(job).logger });
      },
    },
  };
}

/**
 * The message shortcut used where the bot is not a member: Slack refuses the answer's first post
 * there, and the person who asked is told privately, through the shortcut's response_url, how to
 * let the bot in. A handled failure: choosing the shortcut again once the bot is in runs the job again.
 */
async function tellShortcutCannotAnswerThere(job: JobHandle<QuestionJob>, error: unknown, log: Logger): Promise<HandledFailure | undefined> {
  const code = slackErrorCode(error);
  const { source, responseUrl, answerTs } = job.data;
  if (source !== 'shortcut' || !responseUrl || answerTs || code === undefined || !CANNOT_POST_ERRORS.has(code)) return undefined;
  log.info({ slackError: code }, 'message shortcut where the bot cannot post; telling the person privately');
  await postToResponseUrl(responseUrl, { text: cannotAnswerThereText(code) });
  return { failed: `the bot cannot post in this conversation (${code})` };
}
