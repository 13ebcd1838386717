import { trimEndOf } from './text-trim.js';

/**
 * What the bot says in Slack's AI-assistant panel besides its answers: the greeting of a new
 * thread, the prompts it suggests, its status line and the thread's title. Pure, so the wording
 * and the title rule are tested without servers.
 */
export const ASSISTANT_GREETING =
  "Hi! I'm aws-orchestrator, an AWS expert. Ask me about architecture, services, IAM, costs, the CLI, CloudFormation or Terraform — or pick one of the suggestions below.";

export const SUGGESTED_PROMPTS_TITLE = 'Try asking:';

/** Slack shows at most four suggested prompts. */
export const SUGGESTED_PROMPTS: ReadonlyArray<{ title: string; message: string }> = [
  { title: 'Choose a compute service', message: 'Should I run a containerised web app on ECS Fargate, EKS or Lambda? Compare cost and day-to-day operations.' },
  { title: 'Write a least-privilege IAM policy', message: 'Write a least-privilege IAM policy that lets a Lambda function read objects from one S3 bucket.' },
  { title: 'Lower my AWS bill', message: 'What are the first five things to check when an AWS bill is higher than expected?' },
  { title: 'Design a VPC', message: 'How should I lay out a VPC with public and private subnets across two Availability Zones?' },
];

/** Shown as "aws-orchestrator is thinking…": Slack puts the app's name in front. */
export const THINKING_STATUS = 'is thinking…';

/** What Slack rotates through under the status while an answer is prepared (at most ten). */
export const LOADING_MESSAGES: readonly string[] = [
  'Reading the conversation…',
  'Thinking about your AWS setup…',
  'Checking the details…',
  'Writing the answer…',
];

/** Long enough to recognise a conversation in the thread list, short enough to fit it. */
export const MAX_TITLE_CHARS = 60;

/** A thread's title from its first question: its first line, whitespace tidied, cut at a word. */
export function threadTitle(question: string, maxChars = MAX_TITLE_CHARS): string {
  const firstLine = question.split('\n').find((line) => line.trim().length > 0) ?? '';
  const tidy = firstLine.replace(/\s+/g, ' ').trim();
  if (tidy.length === 0) return 'AWS question';
  if (tidy.length <= maxChars) return tidy;
  const cut = tidy.slice(0, maxChars - 1);
  const endsAtWord = tidy[maxChars - 1] === ' ';
  const lastSpace = cut.lastIndexOf(' ');
  // Back to a word boundary only when that does not throw most of the title away.
  const atWord = endsAtWord || lastSpace < maxChars / 2 ? cut : cut.slice(0, lastSpace);
  return `${trimEndOf(atWord, ' \t\n,.;:!?-')}…`;
}
