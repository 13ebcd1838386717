import { describe, expect, it } from 'vitest';
import { routeSubcommand, SUBCOMMANDS, type Subcommand } from '../../src/slack/listeners/commands/subcommands.js';

describe('routeSubcommand', () => {
  const usage: Subcommand = { run: async () => 'usage' };
  const table = { ...SUBCOMMANDS, usage };

  it('routes help, whatever its case and spacing, and a bare command to help', () => {
    for (const text of ['help', '  HELP  ', '', '   ']) expect(routeSubcommand(text, table)?.subcommand).toBe(SUBCOMMANDS.help);
  });

  it('passes the rest of the text to the subcommand', () => {
    expect(routeSubcommand('usage  last   week', table)).toEqual({ name: 'usage', subcommand: usage, args: 'last week' });
  });

  it('treats anything else as a question, including words that only start like a subcommand', () => {
    for (const text of ['helpful tips for IAM?', 'How do I get help with S3?', 'constructor of a CDK stack', 'toString']) {
      expect(routeSubcommand(text, table)).toBeUndefined();
    }
  });
});
