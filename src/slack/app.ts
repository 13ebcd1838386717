import { App, ExpressReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Application } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../ops/logger.js';
import { boltLogger } from './bolt-logger.js';
import { countedFetch, type SlackCallObserver } from '../publish/counted-fetch.js';

/**
 * Builds the Bolt app. HTTP mode mounts Slack's request URL (`POST /slack/events`, for events,
 * commands and interactivity alike) on the service's own Express app, beside the health and
 * metrics routes; Socket Mode (SLACK_APP_TOKEN set) needs no public URL.
 */
export const SLACK_EVENTS_PATH = '/slack/events';

export function createSlackApp(config: Config['slack'], logger: Logger, http: Application, onSlackCall?: SlackCallObserver): App {
  const clientOptions = { ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}), ...(onSlackCall ? { fetch: countedFetch(onSlackCall) } : {}) };
  const log = boltLogger(logger);
  if (config.socketMode) {
    const receiver = new SocketModeReceiver({
      appToken: config.appToken!,
      logger: log,
      logLevel: LogLevel.INFO,
      installerOptions: { clientOptions },
    });
    return new App({ token: config.botToken, receiver, clientOptions, logger: log });
  }
  const receiver = new ExpressReceiver({
    signingSecret: config.signingSecret!,
    endpoints: SLACK_EVENTS_PATH,
    app: http,
    logger: log,
    // Acknowledge first, work after: listeners only enqueue, and Slack's 3-second clock counts.
    processBeforeResponse: false,
  });
  return new App({ token: config.botToken, receiver, clientOptions, logger: log });
}
