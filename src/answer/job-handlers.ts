import type { JobHandlers } from '../core/jobs.js';
import { answerQuestion, tellAnswerFailed, type QuestionDeps } from './answer-question.js';
import { handleAssistantGreeting } from './assistant-greeting.js';
import { handleCommandQuestion, type Enqueue } from './command-question.js';
import { handleNotice } from './notice.js';
import { sendUsageReport, type UsageReportDeps } from './usage-report.js';

/** What a worker does with each kind of job; handed to the queue's worker by the composition root. */
export interface WorkerDeps extends QuestionDeps {
  enqueue: Enqueue;
  usageReports: UsageReportDeps | undefined;
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
        const outcome = await answerQuestion(job, forJob(job), signal);
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
  };
}
