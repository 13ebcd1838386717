import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../config.js';
import { containsSecret, redactSecrets } from '../core/redact.js';

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

/** Shorter values are too likely to occur in ordinary text to be masked wherever they appear. */
const MIN_SECRET_LENGTH = 8;

/** The configured credentials, masked wherever they appear in a log line. */
export function secretsOf(config: Config): string[] {
  return [config.slack.botToken, config.slack.appToken, config.slack.signingSecret, config.model.apiKey, config.ops.dashboard?.password].filter(
    (value): value is string => typeof value === 'string',
  );
}

/**
 * Paths only catch credentials where they are expected. The finished line is also scrubbed: the
 * configured secrets (also deep inside a logged object, in an error message or in the message
 * itself) and anything shaped like a Slack token, an Anthropic key or a URL password.
 */
export function scrubLine(line: string, secrets: readonly string[]): string {
  let scrubbed = line;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    // As written, and as JSON escapes it inside a string.
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) scrubbed = scrubbed.split(form).join('[REDACTED]');
  }
  if (!containsSecret(scrubbed)) return scrubbed;
  // Rare: redact string by string, so that no pattern can match across two JSON values.
  try {
    return `${JSON.stringify(redactStrings(JSON.parse(scrubbed)))}\n`;
  } catch {
    return redactSecrets(scrubbed).text;
  }
}

function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value).text;
  if (Array.isArray(value)) return value.map(redactStrings);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item)]));
  return value;
}

export function createLogger(ops: Pick<Config['ops'], 'logLevel' | 'logFormat'>, destination?: NodeJS.WritableStream, secrets: readonly string[] = []): Logger {
  const options: LoggerOptions = {
    level: ops.logLevel,
    base: { service: 'aws-orchestrator' },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    hooks: { streamWrite: (line) => scrubLine(line, secrets) },
  };
  if (ops.logFormat === 'pretty' && prettyIsInstalled()) {
    // pino-pretty is a development dependency: the pretty format is for people reading a terminal.
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  const logger = destination ? pino(options, destination as pino.DestinationStream) : pino(options);
  if (ops.logFormat === 'pretty') logger.warn('LOG_FORMAT=pretty needs the development dependency pino-pretty (not in production images); logging JSON');
  return logger;
}

function prettyIsInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
