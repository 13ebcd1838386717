import type { App } from '@slack/bolt';
import { commandJobId } from '../../../core/job-ids.js';
import type { ListenerDeps } from '../index.js';
import { maskQuestion, secretWarningText } from '../../secret-warning.js';
import { QUEUE_DOWN_TEXT } from '../../intake.js';
import { postToResponseUrl } from '../../../publish/response-url.js';
import { routeSubcommand, SUBCOMMANDS, type SubcommandReply, type SubcommandTable } from './subcommands.js';

/**
 * `/aws <question>` and its subcommands (routed from subcommands.ts; `/aws` alone is `help`).
 * A question is acknowledged with an empty 200 and queued, so Slack shows nothing until the
 * worker posts it visibly in the channel, naming who asked, and answers in that post's thread.
 */
export function registerAwsCommand(app: App, deps: ListenerDeps, subcommands: SubcommandTable = SUBCOMMANDS): void {
  app.command('/aws', async ({ command, ack }) => {
    const routed = routeSubcommand(command.text, subcommands);
    if (routed) {
      let reply: SubcommandReply;
      try {
        reply = await routed.subcommand.run({ command, args: routed.args, deps });
      } catch (error) {
        deps.logger.error({ err: error, subcommand: routed.name }, '/aws subcommand failed');
        reply = `:warning: \`/aws ${routed.name}\` failed. Please try again in a minute.`;
      }
      await ack(typeof reply === 'string' ? { response_type: 'ephemeral', text: reply } : { response_type: 'ephemeral', ...reply });
      return;
    }
    // Cut to what is read and masked before it is queued (and posted back in the channel as the
    // question); the person is warned in the command's own ephemeral response.
    const masked = maskQuestion(command.text.trim(), deps.maxQuestionChars);
    // Acknowledged before the job is queued, as events are: in a process that also answers, the
    // queue's round trips wait behind the answers' work, and Slack's 3 seconds should not. A
    // question that cannot be queued is said through the command's response URL instead.
    if (masked.found.length > 0) await ack({ response_type: 'ephemeral', text: secretWarningText(masked.found) });
    else await ack();
    try {
      const result = await deps.queue.enqueue(commandJobId(command.team_id, command.trigger_id), {
        kind: 'command-question',
        teamId: command.team_id,
        channel: command.channel_id,
        userId: command.user_id,
        text: masked.text,
        responseUrl: command.response_url,
        receivedAt: Date.now(),
      });
      deps.logger.info({ source: 'command', result }, result === 'queued' ? 'question queued' : 'duplicate delivery ignored');
    } catch (error) {
      deps.logger.error({ err: error }, 'could not queue /aws');
      await postToResponseUrl(command.response_url, { text: QUEUE_DOWN_TEXT }).catch((notifyError: unknown) =>
        deps.logger.error({ err: notifyError }, 'could not tell the user the queue is down'),
      );
    }
  });
}
