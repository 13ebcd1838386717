import type { App } from '@slack/bolt';
import { registerRetry } from './actions/retry.js';
import { registerAwsCommand } from './commands/aws.js';
import { registerAppMention } from './events/app-mention.js';
import { registerMessage, type MessageListenerDeps } from './events/message.js';

/** Every Slack listener, registered from one place, grouped by kind as in Bolt's templates. */
export type ListenerDeps = MessageListenerDeps;

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerAppMention(app, deps);
  registerMessage(app, deps);
  registerAwsCommand(app, deps);
  registerRetry(app, deps);
}
