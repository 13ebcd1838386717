import { lastDays } from '../core/days.js';
import type { UsageReportJob } from '../core/jobs.js';
import { formatUsageReport, type UsageReportInput } from '../core/usage-report.js';
import { tallyOf } from '../core/usage-tally.js';
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

export type ReportFigures = Pick<UsageReportInput, 'isAdmin' | 'days' | 'today' | 'period' | 'feedback'>;

/**
 * What `/aws usage` and the Home tab show this person: the month's days are read once, and today,
 * the newest of them, is tallied from the same read.
 */
export async function readReportInput(who: { teamId: string; userId: string }, deps: UsageReportDeps, asOfMs = Date.now()): Promise<ReportFigures> {
  const isAdmin = deps.adminUserIds.includes(who.userId);
  const [days, feedback] = await Promise.all([
    deps.store.readDays(who.teamId, lastDays(asOfMs, REPORT_DAYS)),
    isAdmin ? deps.feedback.counts(who.teamId, REPORT_DAYS, asOfMs) : Promise.resolve(undefined),
  ]);
  return { isAdmin, days: REPORT_DAYS, today: tallyOf(days.slice(0, 1)), period: tallyOf(days), ...(feedback ? { feedback } : {}) };
}

export async function sendUsageReport(job: UsageReportJob, deps: UsageReportDeps): Promise<void> {
  const text = formatUsageReport({ userId: job.userId, ...(await readReportInput(job, deps)), limits: deps.limits });
  await postToResponseUrl(job.responseUrl, { text });
}
