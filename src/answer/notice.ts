import type { NoticeJob } from '../queue/jobs.js';
import type { AnswerDeps } from './answer-question.js';
import { postToResponseUrl } from './response-url.js';

/** A short reply that needs no model: help, a refusal, a note about what the bot cannot read. */
export async function handleNotice(job: NoticeJob, deps: Pick<AnswerDeps, 'publisher'>): Promise<void> {
  if (job.responseUrl) {
    await postToResponseUrl(job.responseUrl, { text: job.text });
    return;
  }
  if (job.ephemeral) {
    await deps.publisher.postEphemeral(job.channel, job.userId, job.text, job.threadTs);
    return;
  }
  await deps.publisher.post({ teamId: job.teamId, channel: job.channel, threadTs: job.threadTs ?? '' }, job.text, 'notice');
}
