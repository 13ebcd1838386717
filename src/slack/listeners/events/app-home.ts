import type { App } from '@slack/bolt';
import { composeJobId } from '../../../core/job-ids.js';
import type { HomeTabJob } from '../../../core/jobs.js';
import type { IntakeDeps } from '../../intake.js';

/**
 * Someone opened the app's Home tab: a worker reads their figures and publishes the view
 * (answer/home-tab.ts), so the Home is current each time it is opened. One job per event:
 * Slack's redelivery of the same event publishes once.
 */
export function registerAppHome(app: App, deps: IntakeDeps): void {
  app.event('app_home_opened', async ({ event, body, context }) => {
    if (event.tab === 'messages') return;
    const teamId = context.teamId ?? body.team_id;
    if (!teamId) return;
    const job: HomeTabJob = { kind: 'home-tab', teamId, channel: event.channel, userId: event.user, receivedAt: Date.now() };
    const jobId = composeJobId('home', teamId, event.user, body.event_id);
    try {
      const result = await deps.queue.enqueue(jobId, job);
      deps.logger.debug({ jobId, result }, 'home tab refresh queued');
    } catch (error) {
      // The Home keeps showing its last view; the next opening tries again.
      deps.logger.error({ err: error, jobId }, 'could not queue the home tab refresh');
    }
  });
}
