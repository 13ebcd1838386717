import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { MINIMAL_ENV } from '../support/config.js';

describe('loadConfig', () => {
  it('applies the product defaults', () => {
    const config = loadConfig(MINIMAL_ENV);
    expect(config.model).toMatchObject({ name: 'claude-haiku-5-5', temperature: undefined, maxTokens: 1000, effort: 'low', thinking: 'adaptive' });
    expect(config.tools).toMatchObject({ docsMcpUrl: 'https://knowledge-mcp.global.api.aws', accountAccess: false });
    expect(config.role).toBe('all');
    expect(config.slack.port).toBe(3000);
    expect(config.slack.socketMode).toBe(false);
    expect(config.queue.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'nope', ANTHROPIC_TEMPERATURE: '3', PORT: 'abc' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).message;
      for (const name of ['SLACK_BOT_TOKEN', 'ANTHROPIC_API_KEY', 'ANTHROPIC_TEMPERATURE', 'PORT', 'SLACK_SIGNING_SECRET']) expect(text).toContain(name);
    }
  });

  it('needs no signing secret in Socket Mode or for a worker', () => {
    const { SLACK_SIGNING_SECRET: _unused, ...rest } = MINIMAL_ENV;
    expect(loadConfig({ ...rest, SLACK_APP_TOKEN: 'xapp-1' }).slack.socketMode).toBe(true);
    expect(loadConfig(rest, ['--role', 'worker']).role).toBe('worker');
  });

  it('takes the role from the command line over the environment', () => {
    expect(loadConfig({ ...MINIMAL_ENV, ROLE: 'worker' }, ['--role=web']).role).toBe('web');
    expect(() => loadConfig(MINIMAL_ENV, ['--role', 'chef'])).toThrow(ConfigError);
  });

  it('treats blank variables as unset and parses lists', () => {
    const config = loadConfig({ ...MINIMAL_ENV, ANTHROPIC_MODEL: '', ADMIN_USER_IDS: ' U1, U2 ,,' });
    expect(config.model.name).toBe('claude-haiku-5-5');
    expect(config.usage.adminUserIds).toEqual(['U1', 'U2']);
  });

  it('refuses a dashboard without credentials', () => {
    expect(() => loadConfig({ ...MINIMAL_ENV, DASHBOARD_PATH: '/admin/queues' })).toThrow(/DASHBOARD_USER/);
  });
});

describe('temperature', () => {
  it('is sent only when set, and only where the model takes it', () => {
    expect(loadConfig(MINIMAL_ENV).model.temperature).toBeUndefined();
    expect(loadConfig({ ...MINIMAL_ENV, ANTHROPIC_MODEL: 'claude-haiku-4-5', ANTHROPIC_TEMPERATURE: '0.7' }).model.temperature).toBe(0.7);
    expect(() => loadConfig({ ...MINIMAL_ENV, ANTHROPIC_MODEL: 'claude-haiku-4-5', ANTHROPIC_TEMPERATURE: '1.5' })).toThrow(/ANTHROPIC_TEMPERATURE/);
  });

  it('stops the bot with one clear message when the model would reject it', () => {
    expect(() => loadConfig({ ...MINIMAL_ENV, ANTHROPIC_TEMPERATURE: '0.7' })).toThrow(/ANTHROPIC_TEMPERATURE=0\.7: claude-haiku-5-5 samples its own way and rejects any temperature but 1/);
    expect(loadConfig({ ...MINIMAL_ENV, ANTHROPIC_TEMPERATURE: '1' }).model.temperature).toBe(1);
  });
});

describe('effort and thinking', () => {
  it('refuses thinking turned off at an effort where the API requires it', () => {
    expect(() => loadConfig({ ...MINIMAL_ENV, ANTHROPIC_THINKING: 'disabled', ANTHROPIC_EFFORT: 'max' })).toThrow(/ANTHROPIC_THINKING=disabled/);
    expect(loadConfig({ ...MINIMAL_ENV, ANTHROPIC_THINKING: 'disabled' }).model.thinking).toBe('disabled');
  });
});
