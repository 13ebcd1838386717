import type { AnswerDeps } from '../answer/answer-question.js';
import type { UsageReportJob } from '../queue/jobs.js';

/** The worker's handler of a `/aws usage` job. */
export async function sendUsageReport(job: UsageReportJob, deps: Pick<AnswerDeps, 'usage'>): Promise<void> {
  if (!deps.usage) throw new Error('usage accounting is not configured in this worker');
  await deps.usage.sendReport(job);
}
