import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../ops/logger.js';

/** Bolt and its clients log through the service's pino logger, so every line is structured. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  const write = (method: 'debug' | 'info' | 'warn' | 'error') => (...messages: unknown[]) => {
    const [first, ...rest] = messages;
    if (first instanceof Error) child[method]({ err: first, detail: rest }, first.message);
    else child[method](rest.length > 0 ? { detail: rest } : {}, String(first));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
