import type { UsageReportJob } from '../core/jobs.js';
import { formatUsageReport } from '../core/usage-report.js';
import { postToResponseUrl } from '../publish/response-url.js';
import type { FeedbackStore } from '../usage/feedback-store.js';
import type { LimitSettings } from '../usage/limits.js';
import type { UsageStore } from '../usage/usage-store.js';

/**
 * `/aws usage`: a month of aggregates read by a worker (Slack's 3 seconds are for the
 * acknowledgement), rendered and sent privately through the command's response_url.
 */
export const REPORT_DAYS = 30;

export interface UsageReportDeps {
  store: UsageStore;
  feedback: FeedbackStore;
  adminUserIds: readonly string[];
  limits: LimitSettings;
}

export async function sendUsageReport(job: UsageReportJob, deps: UsageReportDeps): Promise<void> {
  const isAdmin = deps.adminUserIds.includes(job.userId);
  const [today, period, feedback] = await Promise.all([
    deps.store.tally(job.teamId, 1),
    deps.store.tally(job.teamId, REPORT_DAYS),
    isAdmin ? deps.feedback.counts(job.teamId, REPORT_DAYS) : Promise.resolve(undefined),
  ]);
  const text = formatUsageReport({ userId: job.userId, isAdmin, days: REPORT_DAYS, today, period, ...(feedback ? { feedback } : {}), limits: deps.limits });
  await postToResponseUrl(job.responseUrl, { text });
}
