import type { App } from '@slack/bolt';
import { registerRetry } from './actions/retry.js';
import { registerAssistant } from './assistant/assistant.js';
import { registerAwsCommand } from './commands/aws.js';
import { registerAppHome } from './events/app-home.js';
import { registerAppMention } from './events/app-mention.js';
import { registerMessage, type MessageListenerDeps } from './events/message.js';
import { countSlackRequests, type SlackRequestObserver } from '../request-metrics.js';
import type { AccessPolicy } from '../../core/access.js';
import { registerAccessControl } from '../access-control.js';
import { refuseMalformedPayloads } from '../validate-payloads.js';
import { registerStop } from './actions/stop.js';
import { registerContinue } from './actions/continue.js';
import { registerFeedback } from './actions/feedback.js';
import type { FeedbackListenerDeps } from './actions/feedback.js';
import { registerAskAboutMessage } from './shortcuts/ask-about-message.js';

/** Every Slack listener, registered from one place, grouped by kind as in Bolt's templates. */
export type ListenerDeps = MessageListenerDeps & FeedbackListenerDeps & { access?: AccessPolicy; onRequest?: SlackRequestObserver };

export function registerListeners(app: App, deps: ListenerDeps): void {
  if (deps.onRequest) app.use(countSlackRequests(deps.onRequest));
  // Before anything reads a request: what does not have Slack's shape goes no further.
  app.use(refuseMalformedPayloads(deps.logger));
  if (deps.access) registerAccessControl(app, { policy: deps.access, queue: deps.queue, logger: deps.logger });
  // Bolt's Assistant is a global middleware that ends the chain for the events it takes (assistant
  // thread events, DM thread messages): global middleware must be registered before it.
  registerAssistant(app, deps);
  registerAppMention(app, deps);
  registerMessage(app, deps);
  registerAwsCommand(app, deps);
  registerRetry(app, deps);
  registerStop(app, deps);
  registerContinue(app, deps);
  registerFeedback(app, deps);
  registerAskAboutMessage(app, deps);
  registerAppHome(app, deps);
}
