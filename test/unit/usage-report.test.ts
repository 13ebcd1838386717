import { describe, expect, it } from 'vitest';
import { formatCount, formatUsageReport, formatUsd, type UsageReportInput } from '../../src/core/usage-report.js';
import { ranked, tallyOf, totalsOf, type AnswerUsage } from '../../src/core/usage-tally.js';
import { dayHash } from '../support/usage-hash.js';

const answer = (overrides: Partial<AnswerUsage> = {}): AnswerUsage => ({
  teamId: 'T1',
  channel: 'C1',
  userId: 'U1',
  model: 'claude-haiku-4-5-20251001',
  usage: { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 5000, cacheWriteTokens: 0 },
  servedFrom: 'model',
  costNano: 3_200_000,
  toolCalls: 0,
  declined: false,
  firstTokenMs: 800,
  durationMs: 4000,
  ...overrides,
});

describe('usage counters', () => {
  it('count an answer for the workspace, the person and the channel', () => {
    const tally = tallyOf([dayHash(answer(), answer({ userId: 'U2', channel: 'C2' }))]);
    expect(totalsOf(tally, 'total')).toMatchObject({ questions: 2, input: 2400, output: 600, cacheRead: 10_000, budgetTokens: 3000, costNano: 6_400_000 });
    expect(totalsOf(tally, 'user:U1')).toMatchObject({ questions: 1, input: 1200, costNano: 3_200_000 });
    expect(totalsOf(tally, 'channel:C2')).toMatchObject({ questions: 1 });
    expect(tally.timing).toEqual({ modelCalls: 2, ttftMsSum: 1600, ttftCount: 2, durationMsSum: 8000 });
  });

  it('count reused answers as questions without tokens, and unpriced model calls apart', () => {
    const zero = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const tally = tallyOf([dayHash(answer({ servedFrom: 'cache', usage: zero, costNano: 0 }), answer({ model: 'claude-new', costNano: undefined }))]);
    expect(totalsOf(tally, 'total')).toMatchObject({ questions: 2, reused: 1, unpriced: 1, costNano: 0, input: 1200 });
    expect(tally.timing.modelCalls).toBe(1);
  });

  it('sum days and rank people and channels by cost', () => {
    const tally = tallyOf([dayHash(answer({ userId: 'U1', costNano: 10 })), dayHash(answer({ userId: 'U2', costNano: 50 }), answer({ userId: 'U1', costNano: 10 }))]);
    expect(ranked(tally, 'user', 5).map(({ id, totals }) => [id, totals.costNano])).toEqual([
      ['U2', 50],
      ['U1', 20],
    ]);
    expect(ranked(tally, 'user', 1)).toHaveLength(1);
  });
});

describe('number formatting', () => {
  it('uses thousands separators and dollars with cents', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatUsd(1_234_567_890_000)).toBe('$1,234.57');
    expect(formatUsd(3_200_000)).toBe('<$0.01');
    expect(formatUsd(5_000_000)).toBe('$0.01');
    expect(formatUsd(0)).toBe('$0.00');
  });
});

describe('the /aws usage report', () => {
  const today = tallyOf([dayHash(answer(), answer({ userId: 'U2', channel: 'C2', costNano: 20_000_000_000 }))]);
  const period = tallyOf([dayHash(answer(), answer({ userId: 'U2', channel: 'C2', costNano: 20_000_000_000 })), dayHash(answer({ costNano: 1_500_000_000 }))]);
  const input: UsageReportInput = {
    userId: 'U1',
    isAdmin: false,
    days: 30,
    today,
    period,
    limits: { userQuestionsPerMinute: 10, userDailyTokenBudget: 200_000, workspaceDailyTokenBudget: 5_000_000 },
  };

  it("shows a person their own questions, tokens and cost, and nobody else's", () => {
    const text = formatUsageReport(input);
    expect(text).toContain('*Your usage of aws-orchestrator*');
    expect(text).toContain('• Today: 1 question · 6,500 tokens · <$0.01');
    expect(text).toContain('• Last 30 days: 2 questions · 13,000 tokens · $1.50');
    expect(text).toContain('_Tokens: 2,400 in · 600 out · 10,000 read from the prompt cache · 0 written to it._');
    expect(text).toContain('Your daily budget: 1,500 of 200,000 tokens used today (0%), resets at 00:00 UTC. Limit: 10 questions a minute.');
    expect(text).not.toContain('Workspace');
    expect(text).not.toContain('U2');
  });

  it('shows admins the workspace, its top channels and people, speed and feedback', () => {
    const text = formatUsageReport({ ...input, isAdmin: true, feedback: { up: 12, down: 3 } });
    expect(text).toContain('*Workspace* _(shown to admins)_');
    expect(text).toContain('• Last 30 days: 3 questions · 19,500 tokens · $21.50');
    expect(text).toContain('• Feedback: 👍 12 · 👎 3');
    expect(text).toContain('first token after 0.8 s on average, complete after 4.0 s');
    expect(text).toMatch(/\*Top channels\* _\(last 30 days\)_\n1\. <#C2> — 1 question · 6,500 tokens · \$20\.00\n2\. <#C1> — 2 questions/);
    expect(text).toMatch(/\*Top people\* _\(last 30 days\)_\n1\. <@U2> — 1 question · 6,500 tokens · \$20\.00\n2\. <@U1>/);
    expect(text).toContain('Workspace daily budget: 3,000 of 5,000,000 tokens used today (0%)');
  });

  it('reads well before anyone has asked anything', () => {
    const empty = tallyOf([]);
    const text = formatUsageReport({ ...input, isAdmin: true, today: empty, period: empty, feedback: { up: 0, down: 0 }, limits: { userQuestionsPerMinute: 0, userDailyTokenBudget: 0, workspaceDailyTokenBudget: 0 } });
    expect(text).toContain('• Today: 0 questions · 0 tokens · $0.00');
    expect(text).toContain('_No questions yet._');
    expect(text).not.toContain('budget');
  });
});
