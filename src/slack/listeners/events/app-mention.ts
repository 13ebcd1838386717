import type { App } from '@slack/bolt';
import { takeQuestion, type IntakeDeps } from '../../intake.js';

/** `@aws-orchestrator …` in a channel: answered in the message's thread. */
export function registerAppMention(app: App, deps: IntakeDeps): void {
  app.event('app_mention', async ({ event, context, client }) => {
    if (event.bot_id || event.subtype === 'bot_message') return;
    if (!event.user || !context.botUserId) return;
    await takeQuestion(
      {
        source: 'mention',
        teamId: context.teamId ?? event.team ?? '',
        channel: event.channel,
        userId: event.user,
        text: event.text ?? '',
        ts: event.ts,
        threadTs: event.thread_ts,
        hasFiles: (event.files?.length ?? 0) > 0,
      },
      context.botUserId,
      client,
      deps,
    );
  });
}
