import type { NoticeJob } from '../core/jobs.js';
import { postToResponseUrl } from '../publish/response-url.js';
import type { SlackMessages } from '../publish/slack-messages.js';

/** A short reply that needs no model: help, a refusal, a note about what the bot cannot read. */
export async function handleNotice(job: NoticeJob, deps: { messages: SlackMessages }): Promise<void> {
  if (job.responseUrl) {
    await postToResponseUrl(job.responseUrl, { text: job.text });
    return;
  }
  if (job.ephemeral) {
    await deps.messages.postEphemeral(job.channel, job.userId, job.text, job.threadTs);
    return;
  }
  await deps.messages.post({ teamId: job.teamId, channel: job.channel, threadTs: job.threadTs ?? '' }, job.text, 'notice');
}
