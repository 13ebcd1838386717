import { usageReportJobId } from '../../../core/job-ids.js';
import type { Subcommand } from './subcommands.js';

/**
 * `/aws usage`: queues the report (reading a month of aggregates is work for a worker, not for
 * Slack's 3-second acknowledgement) and says it is coming; the worker sends it privately through
 * the command's response_url.
 */
export const usageSubcommand: Subcommand = {
  async run({ command, deps }) {
    await deps.queue.enqueue(usageReportJobId(command.team_id, command.trigger_id), {
      kind: 'usage-report',
      teamId: command.team_id,
      channel: command.channel_id,
      userId: command.user_id,
      responseUrl: command.response_url,
      receivedAt: Date.now(),
    });
    return ':bar_chart: Adding up your usage…';
  },
};
