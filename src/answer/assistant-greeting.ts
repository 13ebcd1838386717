import { ASSISTANT_GREETING } from '../core/assistant-copy.js';
import type { AssistantGreetingJob, JobHandle } from '../core/jobs.js';
import type { SlackMessages } from '../publish/slack-messages.js';
import { suggestPrompts } from './assistant-thread.js';
import { findThreadPost } from './unrecorded-posts.js';

/**
 * Someone opened a new thread in the bot's assistant panel: a short greeting (a notice, so it is
 * never read back as part of the conversation) and a few suggested AWS questions. The greeting's
 * ts is recorded first, so a retried job only redoes what is missing; a greeting posted by a run
 * that ended before recording it is found in the thread.
 */
export async function handleAssistantGreeting(job: JobHandle<AssistantGreetingJob>, deps: { messages: SlackMessages }): Promise<void> {
  const { teamId, channel, threadTs } = job.data;
  if (!job.data.greetingTs) {
    const posted = job.startedBefore ? await findThreadPost(deps.messages.slack, channel, threadTs, job.id, 'notice') : undefined;
    const greetingTs = posted ?? (await deps.messages.post({ teamId, channel, threadTs, jobId: job.id }, ASSISTANT_GREETING, 'notice'));
    await job.update({ ...job.data, greetingTs });
  }
  await suggestPrompts(deps.messages.slack, channel, threadTs);
}
