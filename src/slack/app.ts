import { App, ExpressReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Application, RequestHandler } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../ops/logger.js';
import { boltLogger } from './bolt-logger.js';
import { countedFetch, slackApiFetch, type SlackCallObserver } from '../publish/counted-fetch.js';

/**
 * Builds the Bolt app. HTTP mode mounts Slack's request URL (`POST /slack/events`, for events,
 * commands and interactivity alike) on the service's own Express app, beside the health and
 * metrics routes; Socket Mode (SLACK_APP_TOKEN set) needs no public URL.
 */
const SLACK_EVENTS_PATH = '/slack/events';

export function createSlackApp(config: Config['slack'], logger: Logger, http: Application, onSlackCall?: SlackCallObserver): App {
  const clientOptions = { ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}), fetch: onSlackCall ? countedFetch(onSlackCall) : slackApiFetch };
  const log = boltLogger(logger);
  // Bolt's conversation store is not used (the thread is the memory, read by the workers); its
  // in-memory default, private to each process, builds and throws away an Error on every request.
  const appOptions = { token: config.botToken, clientOptions, logger: log, convoStore: false } as const;
  if (config.socketMode) {
    const receiver = new SocketModeReceiver({
      appToken: config.appToken!,
      logger: log,
      logLevel: LogLevel.INFO,
      installerOptions: { clientOptions },
    });
    return new App({ ...appOptions, receiver });
  }
  // Registered before Bolt's own route, so it runs first.
  http.post(SLACK_EVENTS_PATH, refuseFutureRequests(logger));
  const receiver = new ExpressReceiver({
    signingSecret: config.signingSecret!,
    endpoints: SLACK_EVENTS_PATH,
    app: http,
    logger: log,
    // Acknowledge first, work after: listeners only enqueue, and Slack's 3-second clock counts.
    processBeforeResponse: false,
  });
  return new App({ ...appOptions, receiver });
}

/**
 * Bolt refuses a signed request more than five minutes old (a replay), but not one dated ahead:
 * a request signed with a future timestamp could be replayed for as long as that lies ahead. It
 * is refused here the same way, from the header alone, before the body is read. Socket Mode has
 * no such header: Slack's own connection carries its requests.
 */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

function refuseFutureRequests(logger: Logger, now: () => number = () => Date.now()): RequestHandler {
  return (req, res, next) => {
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(timestamp) && timestamp > Math.floor(now() / 1000) + MAX_CLOCK_SKEW_SECONDS) {
      logger.warn({ timestamp, path: req.path }, 'Slack request dated in the future refused');
      res.status(401).send();
      return;
    }
    next();
  };
}
