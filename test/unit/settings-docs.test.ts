import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envExample, readmeWithTable } from '../../src/cli/settings-docs.js';
import { loadConfig, settingsDocumentation } from '../../src/config.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the documentation of every setting', () => {
  it('README.md and .env.example say what src/config.ts says (npm run docs:settings writes both)', () => {
    const readme = read('README.md');
    expect(readmeWithTable(readme)).toBe(readme);
    expect(read('.env.example')).toBe(envExample());
  });

  it('documents each variable once, with a default that is valid', () => {
    const rows = settingsDocumentation();
    const names = rows.map((row) => row.variable);
    expect(new Set(names).size).toBe(names.length);
    for (const row of rows) expect(row.doc.length, row.variable).toBeGreaterThan(10);
    // Every default, as written, is accepted.
    const defaults = Object.fromEntries(rows.filter((row) => row.fallback !== undefined).map((row) => [row.variable, row.fallback!]));
    expect(() => loadConfig({ ...defaults, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', ANTHROPIC_API_KEY: 'k' })).not.toThrow();
  });
});
