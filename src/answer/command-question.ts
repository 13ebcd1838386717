import type { Job } from 'bullmq';
import { buildConversation } from '../core/conversation.js';
import type { AnswerQueue } from '../queue/producer.js';
import { questionJobId, type CommandQuestionJob } from '../queue/jobs.js';
import { slackErrorCode } from '../slack/client.js';
import { produceAnswer, type AnswerDeps } from './answer-question.js';
import { postToResponseUrl, ResponseUrlAnswer } from './response-url.js';

/** Slack's answers when the bot cannot post in the channel the command came from. */
const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'cant_post_in_channel']);

/**
 * `/aws <question>`: the question is posted visibly in the channel, naming who asked, and answered
 * in that post's thread like any mention, so follow-ups in the thread just work. Where the bot
 * cannot post, the answer goes back privately through the command's response_url.
 */
export async function handleCommandQuestion(job: Job<CommandQuestionJob>, deps: AnswerDeps, queue: AnswerQueue, signal?: AbortSignal): Promise<void> {
  const data = job.data;
  let questionTs = data.questionTs;
  if (!questionTs) {
    try {
      questionTs = await deps.publisher.post({ teamId: data.teamId, channel: data.channel, threadTs: '' }, `*<@${data.userId}> asked:* ${data.text}`, 'question', {
        askedBy: data.userId,
      });
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === undefined || !CANNOT_POST.has(code)) throw error;
      deps.logger.info({ slackError: code }, '/aws in a channel the bot cannot post in; answering through response_url');
      await answerThroughResponseUrl(data, job.id!, deps, signal);
      return;
    }
    await job.updateData({ ...data, questionTs });
  }
  await queue.enqueue(questionJobId(data.teamId, data.channel, questionTs), {
    kind: 'question',
    source: 'command',
    teamId: data.teamId,
    channel: data.channel,
    threadTs: questionTs,
    messageTs: questionTs,
    userId: data.userId,
    text: data.text,
    responseUrl: data.responseUrl,
    receivedAt: data.receivedAt,
  });
}

async function answerThroughResponseUrl(data: CommandQuestionJob, jobId: string, deps: AnswerDeps, signal?: AbortSignal): Promise<void> {
  // Usage limits apply here too; a refusal can only go back the way the command came.
  const tell = (text: string) => postToResponseUrl(data.responseUrl, { text });
  if (deps.usage && !(await deps.usage.admitOrTell(data, jobId, tell, deps.logger))) return;
  const hint = "_I'm not a member of this conversation, so only you can see this answer. To answer in the channel, invite me with_ `/invite @aws-orchestrator`.";
  await postToResponseUrl(data.responseUrl, { text: `:hourglass_flowing_sand: _Thinking about:_ ${data.text}` });
  const surface = new ResponseUrlAnswer(data.responseUrl, `*You asked:* ${data.text}\n${hint}`);
  const question = { ts: String(data.receivedAt / 1000), user: data.userId, text: data.text };
  const outcome = await produceAnswer(
    surface,
    (tokenBudget) =>
      buildConversation([question], {
        botUserId: deps.bot.userId,
        questionTs: question.ts,
        tokenBudget,
        maxMessageChars: deps.config.model.maxQuestionChars,
      }),
    data,
    deps,
    signal,
  );
  await deps.usage?.recordAnswer(data, outcome, deps.logger);
}
