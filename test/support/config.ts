import { ConfigError, loadConfig } from '../../src/config.js';

/** The fewest settings the bot starts with. */
export const MINIMAL_ENV = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', ANTHROPIC_API_KEY: 'sk-ant-x' };

/** What the configuration says is wrong with `env` on top of the minimal settings: none when it starts. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...MINIMAL_ENV, ...env });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}
