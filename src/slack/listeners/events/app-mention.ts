import type { App } from '@slack/bolt';
import { questionFrom, takeQuestion, type IntakeDeps } from '../../intake.js';

/** `@aws-orchestrator …` in a channel: answered in the message's thread. */
export function registerAppMention(app: App, deps: IntakeDeps): void {
  app.event('app_mention', async ({ event, context, client }) => {
    if (event.bot_id || event.subtype === 'bot_message') return;
    if (!event.user || !context.botUserId) return;
    const { user } = event;
    await takeQuestion(
      questionFrom({ ...event, user }, 'mention', context.teamId ?? event.team ?? ''),
      context.botUserId,
      client,
      deps,
    );
  });
}
