import { pino, type Logger } from 'pino';
import type { Config } from '../config.js';

export type { Logger };

/**
 * Paths that may carry credentials. pino's redaction runs on every line, so a token that ends
 * up in a logged object is masked without each call site having to remember.
 */
const REDACTED_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'password',
  '*.password',
];

export function createLogger(ops: Config['ops'], destination?: NodeJS.WritableStream): Logger {
  const options = {
    level: ops.logLevel,
    base: { service: 'aws-orchestrator' },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
  };
  if (ops.logFormat === 'pretty') {
    // pino-pretty is a development dependency: the pretty format is for people reading a terminal.
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
