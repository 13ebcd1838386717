import { NANO_PER_USD } from './prices.js';
import { ranked, tokensOf, totalsOf, TOTAL, userScope, type FeedbackCounts, type Totals, type UsageTally } from './usage-tally.js';

/**
 * The text of `/aws usage`, in Slack mrkdwn: the asking person's own questions, tokens and cost
 * for today and the last 30 days; for admins also the workspace's totals, top channels and
 * people, latency and feedback. Pure: numbers in, text out.
 */
export interface UsageReportInput {
  userId: string;
  isAdmin: boolean;
  /** Length of the long period, in days (today included). */
  days: number;
  today: UsageTally;
  period: UsageTally;
  /** Admins only. */
  feedback?: FeedbackCounts;
  limits: { userQuestionsPerMinute: number; userDailyTokenBudget: number; workspaceDailyTokenBudget: number };
}

const TOP = 5;

const COUNT = new Intl.NumberFormat('en-US');
const DOLLARS = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatCount(value: number): string {
  return COUNT.format(Math.round(value));
}

/** Dollars with cents; an amount that rounds to nothing but is not nothing says so. */
export function formatUsd(nanoUsd: number): string {
  const usd = nanoUsd / NANO_PER_USD;
  if (usd > 0 && usd < 0.005) return '<$0.01';
  return DOLLARS.format(usd);
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const plural = (count: number, word: string) => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;

function summary(totals: Totals): string {
  return `${plural(totals.questions, 'question')} · ${plural(tokensOf(totals), 'token')} · ${formatUsd(totals.costNano)}`;
}

function tokenDetail(totals: Totals): string {
  const parts = [
    `${formatCount(totals.input)} in`,
    `${formatCount(totals.output)} out`,
    `${formatCount(totals.cacheRead)} read from the prompt cache`,
    `${formatCount(totals.cacheWrite)} written to it`,
  ];
  const reused = totals.reused > 0 ? ` ${plural(totals.reused, 'answer')} reused without a model call.` : '';
  const unpriced = totals.unpriced > 0 ? ` ${plural(totals.unpriced, 'answer')} from models without a price are not in the cost (see MODEL_PRICES_JSON).` : '';
  return `_Tokens: ${parts.join(' · ')}.${reused}${unpriced}_`;
}

function budgetLine(used: number, budget: number, whose: string): string | undefined {
  if (budget <= 0) return undefined;
  const percent = Math.min(999, Math.floor((used / budget) * 100));
  return `${whose} daily budget: ${formatCount(used)} of ${formatCount(budget)} tokens used today (${percent}%), resets at 00:00 UTC.`;
}

export function formatUsageReport(input: UsageReportInput): string {
  const own = userScope(input.userId);
  const mineToday = totalsOf(input.today, own);
  const minePeriod = totalsOf(input.period, own);
  const lines = [
    '*Your usage of aws-orchestrator*',
    `• Today: ${summary(mineToday)}`,
    `• Last ${input.days} days: ${summary(minePeriod)}`,
    tokenDetail(minePeriod),
  ];
  const limits = [
    budgetLine(mineToday.budgetTokens, input.limits.userDailyTokenBudget, 'Your'),
    input.limits.userQuestionsPerMinute > 0 ? `Limit: ${plural(input.limits.userQuestionsPerMinute, 'question')} a minute.` : undefined,
  ].filter((line) => line !== undefined);
  if (limits.length > 0) lines.push(`_${limits.join(' ')}_`);
  if (input.isAdmin) lines.push('', ...workspaceSection(input));
  return lines.join('\n');
}

function workspaceSection(input: UsageReportInput): string[] {
  const today = totalsOf(input.today, TOTAL);
  const period = totalsOf(input.period, TOTAL);
  const { timing } = input.period;
  const lines = ['*Workspace* _(shown to admins)_', `• Today: ${summary(today)}`, `• Last ${input.days} days: ${summary(period)}`, tokenDetail(period)];
  if (timing.modelCalls > 0) {
    const firstToken = timing.ttftCount > 0 ? `first token after ${formatSeconds(timing.ttftMsSum / timing.ttftCount)} on average, ` : '';
    lines.push(`• Speed over ${plural(timing.modelCalls, 'model call')}: ${firstToken}complete after ${formatSeconds(timing.durationMsSum / timing.modelCalls)}.`);
  }
  if (period.toolCalls > 0) lines.push(`• Look-ups: ${plural(period.toolCalls, 'tool call')} (AWS documentation, team servers, account reads).`);
  if (period.declined > 0) lines.push(`• Declined by the model: ${plural(period.declined, 'question')}.`);
  if (input.feedback) lines.push(`• Feedback: 👍 ${formatCount(input.feedback.up)} · 👎 ${formatCount(input.feedback.down)}`);
  const budget = budgetLine(today.budgetTokens, input.limits.workspaceDailyTokenBudget, 'Workspace');
  if (budget) lines.push(`• ${budget}`);
  lines.push('', `*Top channels* _(last ${input.days} days)_`, ...topLines(input.period, 'channel'));
  lines.push('', `*Top people* _(last ${input.days} days)_`, ...topLines(input.period, 'user'));
  return lines;
}

function topLines(tally: UsageTally, kind: 'user' | 'channel'): string[] {
  const top = ranked(tally, kind, TOP);
  if (top.length === 0) return ['_No questions yet._'];
  return top.map(({ id, totals }, index) => `${index + 1}. ${kind === 'user' ? `<@${id}>` : `<#${id}>`} — ${summary(totals)}`);
}
