import type { WebClient } from '@slack/web-api';
import { homeView, type HomeSettings } from '../core/home-view.js';
import type { HomeTabJob } from '../core/jobs.js';
import type { Logger } from '../ops/logger.js';
import { slackErrorCode, withRateLimitRetry } from '../publish/slack-web.js';
import { readReportInput, type UsageReportDeps } from './usage-report.js';

/**
 * The Home tab, refreshed each time someone opens it: the same month of aggregates as `/aws
 * usage` (read here, in a worker, not within Slack's 3 seconds), rendered by core/home-view.ts
 * and published for that person alone with views.publish.
 */
export interface HomeTabDeps {
  slack: WebClient;
  usage: UsageReportDeps;
  /** The settings admins see; absent, their Home lists only the budgets. */
  settings: HomeSettings | undefined;
  logger: Logger;
}

export async function publishHomeTab(job: HomeTabJob, deps: HomeTabDeps): Promise<void> {
  const asOfMs = Date.now();
  const figures = await readReportInput(job, deps.usage, asOfMs);
  const view = homeView({ userId: job.userId, ...figures, limits: deps.usage.limits, settings: deps.settings, asOfMs });
  try {
    await withRateLimitRetry(() => deps.slack.views.publish({ user_id: job.userId, view }));
  } catch (error) {
    // Nothing to retry until someone turns the Home tab on in the app's settings.
    if (slackErrorCode(error) !== 'not_enabled') throw error;
    deps.logger.warn('views.publish answered not_enabled: turn on the Home tab in the app settings (manifest.yml: features.app_home.home_tab_enabled)');
  }
}
