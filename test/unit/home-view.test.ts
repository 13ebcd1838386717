import { describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/core/answer-blocks.js';
import { HOME_HOW_TO_ASK, homeView, type HomeViewInput } from '../../src/core/home-view.js';
import { formatUsageReport } from '../../src/core/usage-report.js';
import { tallyOf, type AnswerUsage } from '../../src/core/usage-tally.js';
import { blockProblems } from '../fakes/slack-blocks.js';
import { dayHash } from '../support/usage-hash.js';

const answer = (overrides: Partial<AnswerUsage> = {}): AnswerUsage => ({
  teamId: 'T1',
  channel: 'C1',
  userId: 'U1',
  model: 'claude-haiku-5-5',
  usage: { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 0, cacheWriteTokens: 0 },
  servedFrom: 'model',
  costNano: 12_000_000,
  toolCalls: 0,
  declined: false,
  firstTokenMs: 800,
  durationMs: 4000,
  ...overrides,
});

const today = tallyOf([dayHash(answer(), answer({ userId: 'U2', channel: 'C2', costNano: 40_000_000 }))]);
const period = tallyOf([dayHash(answer(), answer({ userId: 'U2', channel: 'C2', costNano: 40_000_000 })), dayHash(answer(), answer())]);
const AS_OF = Date.UTC(2026, 0, 31, 9, 30);

function input(overrides: Partial<HomeViewInput> = {}): HomeViewInput {
  return {
    userId: 'U1',
    isAdmin: false,
    days: 30,
    today,
    period,
    limits: { userQuestionsPerMinute: 10, userDailyTokenBudget: 200_000, workspaceDailyTokenBudget: 5_000_000 },
    asOfMs: AS_OF,
    ...overrides,
  };
}

/** Every text a person reads in the view, block by block. */
function texts(blocks: readonly SlackBlock[]): string[] {
  return blocks.map((block) => {
    const text = block.text as { text?: string } | undefined;
    const elements = (block.elements ?? []) as Array<{ text?: string }>;
    return text?.text ?? elements.map((element) => element.text ?? '').join(' ');
  });
}

describe('the Home tab', () => {
  it("says what the bot does and how to ask it, the message shortcut included, then shows the person's own figures as /aws usage words them", () => {
    const view = homeView(input());
    expect(view.type).toBe('home');
    const shown = texts(view.blocks);
    expect(shown[0]).toBe('aws-orchestrator');
    expect(shown).toContain(HOME_HOW_TO_ASK);
    expect(HOME_HOW_TO_ASK).toContain('*Ask aws-orchestrator*');
    const own = formatUsageReport({ ...input(), isAdmin: false });
    expect(shown).toContain(own);
    expect(own).toContain('• Today: 1 question · 1,500 tokens · $0.01');
    expect(own).toContain('• Last 30 days: 3 questions · 4,500 tokens · $0.04');
    expect(shown.join('\n')).not.toMatch(/Workspace|Settings|Top people|Feedback/);
  });

  it('shows admins the workspace figures, top channels and people, 👍/👎 counts and the settings that matter', () => {
    const view = homeView(input({
      isAdmin: true,
      feedback: { up: 7, down: 2 },
      settings: { model: 'claude-haiku-5-5', effort: 'low', documentationLookups: true, accountAccess: false },
    }));
    const shown = texts(view.blocks).join('\n\n');
    // Every paragraph of the admin's /aws usage is on the Home tab, word for word.
    for (const paragraph of formatUsageReport({ ...input(), isAdmin: true, feedback: { up: 7, down: 2 } }).split('\n\n')) expect(shown).toContain(paragraph);
    expect(shown).toContain('*Workspace* _(shown to admins)_');
    expect(shown).toContain('• Feedback: 👍 7 · 👎 2');
    expect(shown).toContain('1. <@U2> — 1 question · 1,500 tokens · $0.04');
    expect(shown).toContain('• Model: `claude-haiku-5-5`, effort `low`');
    expect(shown).toContain('• AWS documentation look-ups: on');
    expect(shown).toContain('• Reading your AWS account: off');
    expect(shown).toContain('• Budgets: 200,000 tokens a day per person · 5,000,000 tokens a day for the workspace · 10 questions a minute per person');
  });

  it('lists only the budgets when the worker was given no settings, and says when a budget is off', () => {
    const view = homeView(input({ isAdmin: true, limits: { userQuestionsPerMinute: 0, userDailyTokenBudget: 0, workspaceDailyTokenBudget: 1000 } }));
    const shown = texts(view.blocks).join('\n');
    expect(shown).not.toContain('• Model:');
    expect(shown).toContain('• Budgets: no daily token limit per person · 1,000 tokens a day for the workspace · no limit on questions a minute');
  });

  it("says when the figures were read, in the reader's own time zone", () => {
    const last = texts(homeView(input()).blocks).at(-1)!;
    expect(last).toBe(`Figures as of <!date^${AS_OF / 1000}^{date_short_pretty} at {time}|2026-01-31 09:30 UTC>, refreshed each time you open this tab.`);
  });

  it("stays within Slack's limits for Home views: 100 blocks, 3,000 characters a section, 150 a header", () => {
    const busy = tallyOf([dayHash(...Array.from({ length: 40 }, (_, index) => answer({ userId: `U${index}`, channel: `C${index}` })))]);
    const view = homeView(input({ isAdmin: true, today: busy, period: busy, feedback: { up: 1, down: 1 } }));
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(blockProblems(view.blocks, '/view/blocks', 'home')).toEqual([]);
    for (const block of view.blocks) {
      const text = (block.text as { text?: string } | undefined)?.text;
      if (block.type === 'section') expect(text!.length).toBeGreaterThan(0);
      if (block.type === 'section') expect(text!.length).toBeLessThanOrEqual(3000);
      if (block.type === 'header') expect(text!.length).toBeLessThanOrEqual(150);
    }
  });
});
