import type { Job } from 'bullmq';
import { ASSISTANT_GREETING } from '../core/assistant-copy.js';
import type { AssistantGreetingJob } from '../queue/jobs.js';
import type { AnswerDeps } from './answer-question.js';
import { suggestPrompts } from './assistant-thread.js';

/**
 * Someone opened a new thread in the bot's assistant panel: a short greeting (a notice, so it is
 * never read back as part of the conversation) and a few suggested AWS questions. The greeting's
 * ts is recorded first, so a retried job only redoes what is missing.
 */
export async function handleAssistantGreeting(job: Job<AssistantGreetingJob>, deps: Pick<AnswerDeps, 'slack' | 'publisher'>): Promise<void> {
  const { teamId, channel, threadTs } = job.data;
  if (!job.data.greetingTs) {
    const greetingTs = await deps.publisher.post({ teamId, channel, threadTs, jobId: job.id! }, ASSISTANT_GREETING, 'notice');
    await job.updateData({ ...job.data, greetingTs });
  }
  await suggestPrompts(deps.slack, channel, threadTs);
}
