import { secretWarningJobId } from '../core/job-ids.js';
import { redactSecrets, type SecretKind } from '../core/redact.js';
import type { Logger } from '../ops/logger.js';
import type { NoticeJob } from '../core/jobs.js';
import type { AnswerQueue } from '../queue/producer.js';

/**
 * Credentials pasted into a question are masked at intake, before the text is stored in a job,
 * logged or sent to the model, and the person who pasted them is told, privately, to rotate them:
 * masking protects the bot's side, but the secret is still in Slack's history.
 */
const KIND_NAMES: Record<SecretKind, string> = {
  private_key: 'a private key',
  aws_access_key_id: 'an AWS access key ID',
  aws_secret_access_key: 'an AWS secret access key',
  aws_session_token: 'an AWS session token',
  slack_token: 'a Slack token',
  slack_webhook_url: 'a Slack webhook URL',
  anthropic_key: 'an Anthropic API key',
  github_token: 'a GitHub token',
  url_credentials: 'a password in a URL',
  password: 'a password',
};

export interface MaskedQuestion {
  text: string;
  found: SecretKind[];
}

/**
 * A key that straddles the cut is masked whole: masking reads this far past it (a PEM private key
 * is the longest shape, about 3,300 characters for RSA 4096).
 */
const MASKED_PAST_THE_CUT = 4096;

/**
 * The text a job stores, logs and sends on: only the first `maxChars` characters are ever read
 * (MAX_QUESTION_CHARS), so only those are kept, plus one, which is how the answer pipeline still
 * sees that the message was longer and adds the "read only the first part" note under the answer.
 * Masked after the cut, on a window just past it.
 */
export function maskQuestion(text: string, maxChars?: number): MaskedQuestion {
  if (maxChars === undefined || text.length <= maxChars) return redactSecrets(text);
  const masked = redactSecrets(text.slice(0, maxChars + MASKED_PAST_THE_CUT));
  return { text: masked.text.slice(0, maxChars + 1), found: masked.found };
}

export function secretWarningText(found: readonly SecretKind[]): string {
  const names = found.map((kind) => KIND_NAMES[kind]);
  const listed = names.length <= 1 ? (names[0] ?? 'a credential') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return [
    `:warning: Your message contains what looks like ${listed}.`,
    'I masked it before it reached the AI model or my logs, but it is now stored in Slack: *rotate it now* (deactivate it and create a new one) and delete your message.',
  ].join(' ');
}

/**
 * Queued like any notice (listeners do not write to Slack); one per message, however often Slack
 * redelivers it. `messageTs` is the message that held the credentials: a question, or a reply in
 * a thread the bot reads as context.
 */
export async function warnAboutSecrets(
  place: { teamId: string; channel: string; userId: string; threadTs: string | undefined; messageTs: string },
  found: readonly SecretKind[],
  deps: { queue: AnswerQueue; logger: Logger },
): Promise<void> {
  const notice: NoticeJob = {
    kind: 'notice',
    teamId: place.teamId,
    channel: place.channel,
    userId: place.userId,
    ...(place.threadTs ? { threadTs: place.threadTs } : {}),
    text: secretWarningText(found),
    ephemeral: true,
    receivedAt: Date.now(),
  };
  deps.logger.warn({ channel: place.channel, messageTs: place.messageTs, kinds: found }, 'a message contained credentials; masked, and the person is warned');
  try {
    await deps.queue.enqueue(secretWarningJobId(place.teamId, place.channel, place.messageTs), notice);
  } catch (error) {
    deps.logger.error({ err: error }, 'could not queue the warning about pasted credentials');
  }
}
