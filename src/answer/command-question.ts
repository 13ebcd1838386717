import { buildConversation } from '../core/conversation.js';
import { questionJobId } from '../core/job-ids.js';
import type { AnswerQueueJob, CommandQuestionJob, JobHandle } from '../core/jobs.js';
import { refusalText } from '../core/limit-rules.js';
import { produceAnswer } from '../model/answer.js';
import { systemPrompt } from '../model/system-prompt.js';
import { postToResponseUrl, ResponseUrlAnswer } from '../publish/response-url.js';
import { slackErrorCode } from '../publish/slack-web.js';
import type { QuestionDeps } from './answer-question.js';
import { findCommandQuestion } from './unrecorded-posts.js';

/**
 * `/aws <question>`: the question is posted visibly in the channel, naming who asked, and answered
 * in that post's thread like any mention, so follow-ups in the thread just work. Where the bot
 * cannot post, the answer goes back privately through the command's response_url, from the same
 * model loop.
 */
export type Enqueue = (jobId: string, data: AnswerQueueJob) => Promise<unknown>;

/** Slack's answers when the bot cannot post in the channel the command came from. */
const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'cant_post_in_channel']);

export async function handleCommandQuestion(job: JobHandle<CommandQuestionJob>, deps: QuestionDeps & { enqueue: Enqueue }, signal?: AbortSignal): Promise<void> {
  const data = job.data;
  let questionTs = data.questionTs;
  if (!questionTs && job.startedBefore) {
    // A run that ended between posting the question and recording it left the post in the channel.
    questionTs = await findCommandQuestion(deps.messages.slack, data.channel, data.receivedAt, job.id);
    if (questionTs) {
      deps.logger.info({ questionTs }, 'continuing with the question post an earlier run did not record');
      await job.update({ ...data, questionTs });
    }
  }
  if (!questionTs) {
    try {
      questionTs = await deps.messages.post({ teamId: data.teamId, channel: data.channel, threadTs: '', jobId: job.id }, `*<@${data.userId}> asked:* ${data.text}`, 'question', { askedBy: data.userId });
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === undefined || !CANNOT_POST.has(code)) throw error;
      deps.logger.info({ slackError: code }, '/aws in a channel the bot cannot post in; answering through response_url');
      await answerThroughResponseUrl(job, deps, signal);
      return;
    }
    await job.update({ ...data, questionTs });
  }
  await deps.enqueue(questionJobId(data.teamId, data.channel, questionTs), {
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

async function answerThroughResponseUrl(job: JobHandle<CommandQuestionJob>, deps: QuestionDeps, signal?: AbortSignal): Promise<void> {
  const data = job.data;
  // Usage limits apply here too; a refusal can only go back the way the command came.
  const admission = deps.accounting ? await deps.accounting.admit(data, job.id) : ({ kind: 'admitted' } as const);
  if (admission.kind !== 'admitted') {
    await postToResponseUrl(data.responseUrl, { text: refusalText(admission, Date.now()) });
    return;
  }
  const hint = "_I'm not a member of this conversation, so only you can see this answer. To answer in the channel, invite me with_ `/invite @aws-orchestrator`.";
  await postToResponseUrl(data.responseUrl, { text: `:hourglass_flowing_sand: _Thinking about:_ ${data.text}` });
  const surface = new ResponseUrlAnswer(data.responseUrl, `*You asked:* ${data.text}\n${hint}`);
  const question = { ts: String(data.receivedAt / 1000), user: data.userId, text: data.text };
  const conversationWithin = (tokenBudget: number) =>
    buildConversation([question], { botUserId: deps.bot.userId, questionTs: question.ts, tokenBudget, maxMessageChars: deps.settings.maxQuestionChars, tokenScale: deps.settings.tokenScale });
  const offer = deps.tools.forQuestion({ teamId: data.teamId, channel: data.channel, userId: data.userId, source: 'command' });
  const outcome = await produceAnswer(
    surface,
    deps.loop,
    {
      system: systemPrompt(deps.settings.systemPromptOverride, { today: new Date().toISOString().slice(0, 10), ...offer.prompt }),
      turns: conversationWithin(deps.settings.historyTokenBudget).turns,
      tools: offer.tools,
      asker: { teamId: data.teamId, channel: data.channel, userId: data.userId },
      endUserId: `${data.teamId}-${data.userId}`,
    },
    { maxTokens: deps.settings.maxTokens },
    signal,
  );
  await deps.accounting?.record(data, outcome, deps.logger);
}
