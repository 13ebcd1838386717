import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger, scrubLine, secretsOf } from '../../src/ops/logger.js';

/** The logger's configuration, not each call site, keeps credentials out of the logs. */
const ENV = {
  SLACK_BOT_TOKEN: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx',
  SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
  SLACK_APP_TOKEN: 'xapp-1-A0TEST-1234567890-abcdef0123456789',
  ANTHROPIC_API_KEY: 'sk-ant-api03-Zz9_Yy8-Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0',
  DASHBOARD_PATH: '/admin/queues',
  DASHBOARD_USER: 'operator',
  DASHBOARD_PASSWORD: 'p@ss"word\\with-quotes',
};
const config = loadConfig(ENV);
const SECRETS = [ENV.SLACK_BOT_TOKEN, ENV.SLACK_SIGNING_SECRET, ENV.SLACK_APP_TOKEN, ENV.ANTHROPIC_API_KEY, ENV.DASHBOARD_PASSWORD];

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((line) => line.length > 0) };
}

function expectNoSecret(output: string): void {
  for (const secret of SECRETS) {
    expect(output.includes(secret), `leaked ${secret}`).toBe(false);
    expect(output.includes(JSON.stringify(secret).slice(1, -1)), `leaked ${secret} (JSON-escaped)`).toBe(false);
  }
}

describe('the logger', () => {
  it('never writes a configured credential, wherever it appears in a line', () => {
    const { stream, lines } = capture();
    const logger = createLogger(config.ops, stream, secretsOf(config));
    logger.info({ config }, 'the whole configuration');
    logger.info({ slack: { botToken: ENV.SLACK_BOT_TOKEN }, headers: { authorization: `Bearer ${ENV.SLACK_BOT_TOKEN}` } }, 'paths');
    logger.error({ err: new Error(`invalid_auth for token ${ENV.SLACK_BOT_TOKEN}`) }, 'an error message');
    logger.warn(`signing secret ${ENV.SLACK_SIGNING_SECRET} in the message itself`);
    logger.child({ request: { options: { apiKey: ENV.ANTHROPIC_API_KEY, nested: [{ key: ENV.ANTHROPIC_API_KEY }] } } }).info('bindings');
    logger.info({ url: `redis://:${ENV.DASHBOARD_PASSWORD}@redis:6379`, dashboard: ENV.DASHBOARD_PASSWORD }, 'password');
    const output = lines();
    expect(output).toHaveLength(6);
    expectNoSecret(output.join('\n'));
    // Every line stays one valid JSON object, and what is not secret is kept.
    for (const line of output) expect(() => JSON.parse(line)).not.toThrow();
    expect(JSON.parse(output[0]!).config.model.name).toBe('claude-haiku-5-5');
    expect(output.join('\n')).toContain('[REDACTED');
  });

  it('masks token-shaped strings it was not told about', () => {
    const line = JSON.stringify({ msg: 'a pasted token xoxp-1111111111-2222222222-abcdefabcdef and key sk-ant-admin01-abcdefghijklmnopqrstuv' });
    const scrubbed = scrubLine(`${line}\n`, []);
    expect(scrubbed).not.toContain('xoxp-1111111111');
    expect(scrubbed).not.toContain('sk-ant-admin01-abcdefghijklmnopqrstuv');
    expect(JSON.parse(scrubbed).msg).toContain('[REDACTED:slack_token]');
  });

  it('keeps lines without secrets as they are, and never joins two JSON values into one match', () => {
    const plain = `${JSON.stringify({ jobId: 'q-T0-C0-1.2', url: 'http://127.0.0.1:3000', email: 'a@example.com' })}\n`;
    expect(scrubLine(plain, SECRETS)).toBe(plain);
    expect(() => JSON.parse(scrubLine(plain, SECRETS))).not.toThrow();
  });
});
