import type { App } from '@slack/bolt';
import { commandJobId } from '../../../queue/jobs.js';
import { HELP_TEXT, type IntakeDeps } from '../../intake.js';

/**
 * `/aws <question>` and its subcommands. Subcommands are routed from this one table; anything
 * else is a question.
 */
type Subcommand = (args: { text: string; respond: (text: string) => Promise<void> }) => Promise<void>;

export function registerAwsCommand(app: App, deps: IntakeDeps, subcommands: Record<string, Subcommand> = {}): void {
  app.command('/aws', async ({ command, ack, respond }) => {
    const text = command.text.trim();
    const [first = '', ...rest] = text.split(/\s+/);
    const name = first.toLowerCase();
    if (text.length === 0 || name === 'help') {
      await ack({ response_type: 'ephemeral', text: HELP_TEXT });
      return;
    }
    const subcommand = subcommands[name];
    if (subcommand) {
      await ack();
      await subcommand({ text: rest.join(' '), respond: (reply) => respond({ response_type: 'ephemeral', text: reply }).then(() => undefined) });
      return;
    }
    try {
      await deps.queue.enqueue(commandJobId(command.team_id, command.trigger_id), {
        kind: 'command-question',
        teamId: command.team_id,
        channel: command.channel_id,
        userId: command.user_id,
        text,
        responseUrl: command.response_url,
        receivedAt: Date.now(),
      });
      await ack();
    } catch (error) {
      deps.logger.error({ err: error }, 'could not queue /aws');
      await ack({ response_type: 'ephemeral', text: ":warning: I can't take your question right now: my job queue is unavailable. Please try again in a minute." });
    }
  });
}
