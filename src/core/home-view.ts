import type { SlackBlock } from './answer-blocks.js';
import { formatCount, formatUsageReport, type UsageReportInput } from './usage-report.js';

/**
 * The app's Home tab, as a Block Kit `home` view: what the bot does and how to ask it, then the
 * person's own figures exactly as `/aws usage` words them (the same tallies and the same text,
 * one section per paragraph), and for admins the workspace's figures, top channels and people,
 * 👍/👎 counts and the settings that shape answers and costs. Pure: figures in, view out.
 */
export interface HomeSettings {
  model: string;
  effort: string;
  /** Whether answers may search AWS documentation (AWS_DOCS_MCP_URL is not `off`). */
  documentationLookups: boolean;
  /** Whether answers may read the team's own AWS account (AWS_ACCOUNT_ACCESS). */
  accountAccess: boolean;
}

export interface HomeViewInput extends UsageReportInput {
  /** Shown to admins; without it their settings section lists the budgets alone. */
  settings?: HomeSettings | undefined;
  /** When the figures were read (ms since the epoch). */
  asOfMs: number;
}

export interface HomeView {
  type: 'home';
  blocks: SlackBlock[];
}

/** Slack's limit on the text of one section block. */
const SECTION_LIMIT = 3000;

const HOME_INTRO =
  "An AWS expert powered by Claude. Ask me about architecture, services, IAM, costs, the CLI, CloudFormation or Terraform: I read the thread I answer in as context, and replies in that thread continue the conversation.";

export const HOME_HOW_TO_ASK = [
  '*How to ask*',
  '• *In a channel:* mention me, `@aws-orchestrator How do I set up ECS with Fargate?`, and I answer in the thread.',
  '• *About any message:* on an alarm, an error or a teammate’s stack trace, open the message’s ⋮ menu and choose *Ask aws-orchestrator*: I answer in its thread, with the message as the question.',
  '• *Privately:* send me a direct message in the Messages tab, or open me in the assistant panel.',
  '• *Anywhere:* `/aws <question>`; `/aws help` for a guide, `/aws usage` for the figures below.',
  'Please never paste credentials: I mask the ones I recognise before anything reaches the AI model, but they stay in Slack.',
].join('\n');

export function homeView(input: HomeViewInput): HomeView {
  // `/aws usage` words the figures; its paragraphs are the person's own, then (admins) the
  // workspace's, its top channels and its top people.
  const [own = '', ...workspace] = formatUsageReport(input).split('\n\n');
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'aws-orchestrator', emoji: true } },
    section(HOME_INTRO),
    section(HOME_HOW_TO_ASK),
    { type: 'divider' },
    section(own),
  ];
  if (input.isAdmin) {
    blocks.push({ type: 'divider' }, ...workspace.map(section), section(settingsText(input)));
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: asOfText(input.asOfMs) }] });
  return { type: 'home', blocks };
}

function settingsText(input: HomeViewInput): string {
  const lines = ['*Settings* _(shown to admins)_'];
  const { settings, limits } = input;
  if (settings) {
    lines.push(
      `• Model: \`${settings.model}\`, effort \`${settings.effort}\``,
      `• AWS documentation look-ups: ${settings.documentationLookups ? 'on' : 'off'}`,
      `• Reading your AWS account: ${settings.accountAccess ? 'on' : 'off'}`,
    );
  }
  const budgets = [
    `${perDay(limits.userDailyTokenBudget)} per person`,
    `${perDay(limits.workspaceDailyTokenBudget)} for the workspace`,
    limits.userQuestionsPerMinute > 0 ? `${formatCount(limits.userQuestionsPerMinute)} questions a minute per person` : 'no limit on questions a minute',
  ];
  lines.push(`• Budgets: ${budgets.join(' · ')}`);
  return lines.join('\n');
}

function perDay(tokens: number): string {
  return tokens > 0 ? `${formatCount(tokens)} tokens a day` : 'no daily token limit';
}

/** Slack shows the date token in the reader's own time zone; the fallback is UTC. */
function asOfText(asOfMs: number): string {
  const seconds = Math.floor(asOfMs / 1000);
  const fallback = `${new Date(asOfMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `Figures as of <!date^${seconds}^{date_short_pretty} at {time}|${fallback}>, refreshed each time you open this tab.`;
}

function section(mrkdwn: string): SlackBlock {
  const text = mrkdwn.trim().length === 0 ? ' ' : mrkdwn.length > SECTION_LIMIT ? `${mrkdwn.slice(0, SECTION_LIMIT - 1)}…` : mrkdwn;
  return { type: 'section', text: { type: 'mrkdwn', text } };
}
