import type { RedisClient } from '../ops/redis.js';
import { asContinuation } from '../core/continuation.js';
import { buildConversation, type Conversation, type ThreadMessage } from '../core/conversation.js';
import { questionShortenedNote } from '../core/input-notes.js';
import { askedAboutNote } from '../core/message-subject.js';
import type { JobHandle, QuestionJob } from '../core/jobs.js';
import { refusalText } from '../core/limit-rules.js';
import { produceAnswer, type AnswerOutcome, type AnswerSurface } from '../model/answer.js';
import type { LoopRequest, ModelLoop } from '../model/model-loop.js';
import { systemPrompt } from '../model/system-prompt.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { MessageAnswer, type MessageAnswerOptions } from '../publish/message-answer.js';
import { endAbandonedStream, startNativeAnswer, type NativeStreamSettings } from '../publish/native-stream.js';
import type { AnswerPlace, SlackMessages } from '../publish/slack-messages.js';
import { slackErrorCode } from '../publish/slack-web.js';
import type { Accounting } from '../usage/accounting.js';
import { answerInAssistantThread } from './assistant-thread.js';
import { readThreadOnce, ThreadCache, type BotAuthor } from './thread-cache.js';
import { claimAnswerMessage } from './receipts.js';
import { withStopRequested } from './stop-requests.js';
import { findEarlierAnswer } from './unrecorded-posts.js';
import type { ToolCatalog } from '../tools/catalog.js';

/**
 * The path of a question, top to bottom: admit (usage limits) → place (where the answer is shown)
 * → read the thread → build the conversation → the model loop (with the tools this question may
 * use) → publish the final answer → record usage. Each step that creates something in Slack
 * records it on the job first, so a job picked up again after a crash continues in the same
 * messages.
 */
export interface QuestionSettings {
  streaming: NativeStreamSettings['streaming'];
  messageOptions: NativeStreamSettings['messageOptions'];
  threadCacheTtlSeconds: number;
  historyTokenBudget: number;
  maxQuestionChars: number;
  /** ANTHROPIC_MAX_TOKENS, for the note under a cut answer. */
  maxTokens: number;
  systemPromptOverride: string | undefined;
  /** How many more tokens the model's tokenizer makes of the same text. */
  tokenScale: number;
}

export interface AnswerObserver {
  answered(question: { source: string; receivedAt: number }, outcome: AnswerOutcome): void;
}

export interface QuestionDeps {
  settings: QuestionSettings;
  messages: SlackMessages;
  redis: RedisClient;
  keys: RedisKeys;
  bot: BotAuthor;
  logger: Logger;
  loop: ModelLoop;
  tools: ToolCatalog;
  /** Answer reuse for first questions (reuse/); absent, every question goes to the model. */
  reuse?: ((question: { jobId: string; userId: string }, loop: ModelLoop) => ModelLoop) | undefined;
  /** Usage limits and records (usage/); absent, nothing is limited or recorded. */
  accounting?: Accounting | undefined;
  observer?: AnswerObserver | undefined;
}

/** How long the bot stays part of a thread it answered in (follow-ups need no mention). */
const JOINED_THREAD_SECONDS = 30 * 24 * 3600;
/** The shortened history still keeps the last exchange or two. */
const MIN_HISTORY_BUDGET = 1000;

export async function answerQuestion(job: JobHandle<QuestionJob>, deps: QuestionDeps, signal?: AbortSignal): Promise<AnswerOutcome | undefined> {
  const question = job.data;
  const log = deps.logger;
  if (question.deliveredAt) {
    log.info({ deliveredAt: question.deliveredAt }, 'answer already delivered by an earlier run of this job');
    return undefined;
  }
  log.info({ source: question.source, queueWaitMs: Date.now() - question.receivedAt }, 'answering');
  const answer = () => answerAdmitted(job, deps, signal);
  const outcome = question.source === 'assistant' ? await answerInAssistantThread(question, deps, answer) : await answer();
  if (!outcome) return undefined;
  log.info({ status: outcome.status, usage: outcome.usage, toolCalls: outcome.toolCalls, totalMs: outcome.finishedAt - question.receivedAt }, 'answered');
  deps.observer?.answered(question, outcome);
  return outcome;
}

/** The answer, or undefined when an earlier run of this job had shown it whole already. */
async function answerAdmitted(job: JobHandle<QuestionJob>, deps: QuestionDeps, signal: AbortSignal | undefined): Promise<AnswerOutcome | undefined> {
  const place: AnswerPlace = { teamId: job.data.teamId, channel: job.data.channel, threadTs: job.data.threadTs, jobId: job.id };
  // 1. Admit. A question that waited in the queue may have its message already, posted by its
  // receipt. A job run again after a crash that has its answer message was admitted before.
  const claim = job.data.answerTs === undefined ? await claimAnswerMessage(job.id, deps) : undefined;
  // An earlier run wrote in the answer's message (recorded or not): it may have shown the whole answer.
  if ((claim?.kind === 'unrecorded' || job.data.answerTs !== undefined) && (await shownByEarlierRun(job, place, deps))) return undefined;
  const receiptTs = claim?.kind === 'receipt' ? claim.ts : undefined;
  const rerun = job.data.answerTs !== undefined;
  if (!rerun && !(await admit(job, deps))) {
    if (receiptTs) await deps.messages.slack.chat.delete({ channel: place.channel, ts: receiptTs }).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not delete the sign of receipt'));
    return { status: 'over-limit', calls: [], usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, finishedAt: Date.now(), toolCalls: 0, sources: [] };
  }

  // 2. Place the answer: a native stream where Slack offers it, else a message.
  const surface = await placeAnswer(job, place, deps, receiptTs);
  await deps.redis.set(deps.keys.joinedThread(place.teamId, place.channel, place.threadTs), '1', 'EX', JOINED_THREAD_SECONDS);
  signal = await withStopRequested(deps.redis, deps.keys, job.id, signal);

  // 3. Read the thread: it is the conversation's memory.
  const question = job.data;
  const thread = await readThreadOrQuestion(question, deps);

  // 4. Build the conversation within the history budget (shortened once if the model says it is too long).
  const excludeTs = new Set([question.answerTs!, ...(question.followUpTs ?? [])]);
  const conversationWithin = (tokenBudget: number) => {
    const conversation = conversationFor(thread, question, deps, excludeTs, tokenBudget);
    return question.continueFromTs ? asContinuation(conversation, question.userId) : conversation;
  };
  const conversation = conversationWithin(deps.settings.historyTokenBudget);

  // 5. The model loop, with the tools this question may use.
  const offer = deps.tools.forQuestion({ teamId: question.teamId, channel: question.channel, userId: question.userId, source: question.source });
  const request: LoopRequest = {
    system: systemPrompt(deps.settings.systemPromptOverride, { today: new Date().toISOString().slice(0, 10), ...offer.prompt }),
    turns: conversation.turns,
    shorterTurns: () => conversationWithin(Math.max(MIN_HISTORY_BUDGET, Math.floor(deps.settings.historyTokenBudget / 4))).turns,
    tools: offer.tools,
    asker: { teamId: question.teamId, channel: question.channel, userId: question.userId },
    endUserId: `${question.teamId}-${question.userId}`,
  };
  // Only a first question is answered the same way for anyone: follow-ups and Continue depend on their thread.
  const isFirstQuestion = question.threadTs === question.messageTs && !question.continueFromTs;
  const loop = deps.reuse && isFirstQuestion ? deps.reuse({ jobId: job.id, userId: question.userId }, deps.loop) : deps.loop;
  const outcome = await produceAnswer(surface, loop, request, { maxTokens: deps.settings.maxTokens, extra: inputNote(conversation, question, deps) }, signal);

  // 6. Record usage; a failed answer stays open: its Retry button runs this same job again.
  await deps.accounting?.record(question, outcome, deps.logger);
  if (outcome.status !== 'failed') await job.update({ ...job.data, deliveredAt: outcome.finishedAt });
  return outcome;
}

/**
 * Whether an earlier run of this job (or its receipt) that ended before recording what it did
 * showed the whole answer: the model is then not asked again (and the usage that run had not
 * recorded yet stays unrecorded). Messages it posted without recording them (the answer's, a long
 * answer's follow-ups) are recorded now, and the answer continues in them rather than in new ones.
 */
async function shownByEarlierRun(job: JobHandle<QuestionJob>, place: AnswerPlace, deps: QuestionDeps): Promise<boolean> {
  const earlier = await findEarlierAnswer(deps.messages.slack, place.channel, place.threadTs, job.id);
  if (!earlier) return false;
  const answerTs = job.data.answerTs ?? earlier.messageTs[0]!;
  if (earlier.complete) {
    deps.logger.info({ answerTs }, 'answer shown whole by an earlier run of this job; not asked again');
    await job.update({ ...job.data, answerTs, deliveredAt: Date.now() });
    return true;
  }
  // Follow-ups are recorded once all are posted: a run that died among them leaves some unrecorded.
  const followUpTs = earlier.messageTs.filter((ts) => ts !== answerTs);
  const unrecordedMessage = job.data.answerTs === undefined;
  const unrecordedFollowUps = followUpTs.length > (job.data.followUpTs?.length ?? 0);
  if (unrecordedMessage) deps.logger.info({ answerTs }, 'continuing in the answer message posted without being recorded');
  if (unrecordedFollowUps) deps.logger.info({ followUpTs }, 'continuing in the follow-ups posted without being recorded');
  if (unrecordedMessage || unrecordedFollowUps) await job.update({ ...job.data, answerTs, ...(unrecordedFollowUps ? { followUpTs } : {}) });
  return false;
}

/** Over a limit, the person is told privately why and when to ask again; the question goes no further. */
async function admit(job: JobHandle<QuestionJob>, deps: QuestionDeps): Promise<boolean> {
  if (!deps.accounting) return true;
  const question = job.data;
  const admission = await deps.accounting.admit(question, job.id);
  if (admission.kind === 'admitted') return true;
  deps.logger.info({ refusal: admission.kind, userId: question.userId }, 'question refused by usage limits');
  await tellPrivately(question, refusalText(admission, Date.now()), deps);
  return false;
}

/** An ephemeral note in the question's thread; if Slack refuses it, the note is posted in the thread: a question is never left without a word. */
export async function tellPrivately(question: Pick<QuestionJob, 'teamId' | 'channel' | 'threadTs' | 'userId'>, text: string, deps: Pick<QuestionDeps, 'messages' | 'logger'>): Promise<void> {
  try {
    await deps.messages.postEphemeral(question.channel, question.userId, text, question.threadTs);
  } catch (error) {
    if (slackErrorCode(error) === undefined) throw error;
    deps.logger.warn({ slackError: slackErrorCode(error) }, 'could not tell the person privately; posting the note in the thread');
    await deps.messages.post({ teamId: question.teamId, channel: question.channel, threadTs: question.threadTs }, text, 'notice');
  }
}

async function placeAnswer(job: JobHandle<QuestionJob>, place: AnswerPlace, deps: QuestionDeps, receiptTs: string | undefined): Promise<AnswerSurface> {
  const { settings } = deps;
  const onFollowUps = (followUpTs: string[]) => job.update({ ...job.data, followUpTs });
  const messageOptions: MessageAnswerOptions = { ...settings.messageOptions, followUpTs: job.data.followUpTs ?? [], onFollowUps };
  if (receiptTs) {
    await job.update({ ...job.data, answerTs: receiptTs });
    return new MessageAnswer(deps.messages, place, receiptTs, messageOptions, deps.logger);
  }
  if (job.data.answerTs) {
    // A job run again continues in its message; a stream an earlier attempt left open is closed first.
    await endAbandonedStream(place, job.data.answerTs, settings.streaming, deps);
    return new MessageAnswer(deps.messages, place, job.data.answerTs, messageOptions, deps.logger);
  }
  const stream = await startNativeAnswer(place, job.data, settings, deps, onFollowUps);
  if (stream || job.data.source === 'shortcut') {
    // A shortcut may come from where the bot cannot post: that is found out before the model is asked.
    const answerTs = stream?.ts ?? (await deps.messages.postPlaceholder(place));
    await job.update({ ...job.data, answerTs });
    return stream ?? new MessageAnswer(deps.messages, place, answerTs, messageOptions, deps.logger);
  }
  // The message is posted with the answer's first words ("Thinking…" if they are slow to come) and recorded on the job.
  const onPosted = (answerTs: string) => job.update({ ...job.data, answerTs });
  return new MessageAnswer(deps.messages, place, { askedAt: job.data.receivedAt, onPosted }, messageOptions, deps.logger);
}

function conversationFor(thread: ThreadMessage[], question: QuestionJob, deps: QuestionDeps, excludeTs: ReadonlySet<string>, tokenBudget: number): Conversation {
  return buildConversation(thread, {
    botUserId: deps.bot.userId,
    ...(deps.bot.botId ? { botId: deps.bot.botId } : {}),
    questionTs: question.messageTs,
    excludeTs,
    tokenBudget,
    maxMessageChars: deps.settings.maxQuestionChars,
    tokenScale: deps.settings.tokenScale,
  });
}

function inputNote(conversation: Conversation, question: QuestionJob, deps: QuestionDeps): string | undefined {
  const notes = [
    // A message asked about with the shortcut may be anyone's: the answer names who asked.
    question.subjectAuthor ? askedAboutNote(question.userId) : undefined,
    conversation.questionTruncated ? questionShortenedNote(deps.settings.maxQuestionChars) : undefined,
  ].filter((note) => note !== undefined);
  return notes.length > 0 ? notes.join('\n') : undefined;
}

/**
 * The thread is the memory, but an answer must not depend on being able to read it: if Slack
 * refuses (a channel the bot cannot read, a deleted thread), the question alone is answered.
 */
async function readThreadOrQuestion(question: QuestionJob, deps: QuestionDeps): Promise<ThreadMessage[]> {
  const asked = questionMessage(question);
  // A question that starts its thread is the whole conversation and the job carries it: reading
  // the thread would spend a conversations.replies call (Tier 3, the scarcest Slack budget under
  // load, see BENCHMARKS.md) to learn nothing more.
  if (question.threadTs === question.messageTs && !question.continueFromTs) return [asked];
  try {
    const cache = new ThreadCache(deps.redis, deps.keys, deps.settings.threadCacheTtlSeconds, deps.bot);
    const thread = await readThreadOnce(deps.messages.slack, cache, question, question.messageTs);
    // A message asked about with the shortcut is read from the job, which holds the text of its
    // blocks and attachments too (a read of the thread has only its text, often empty for an alarm).
    if (question.subjectAuthor) return [...thread.filter((message) => message.ts !== question.messageTs), asked];
    return thread.some((message) => message.ts === question.messageTs) ? thread : [...thread, asked];
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === undefined) throw error;
    deps.logger.warn({ slackError: code }, 'could not read the thread; answering the question alone');
    return [asked];
  }
}

/** The question's own message as the job carries it: the asker's, or the message asked about and who wrote it. */
function questionMessage(question: QuestionJob): ThreadMessage {
  const author = question.subjectAuthor;
  if (!author) return { ts: question.messageTs, user: question.userId, text: question.text };
  return {
    ts: question.messageTs,
    text: question.text,
    askedAboutBy: question.userId,
    ...(author.userId ? { user: author.userId } : { subtype: 'bot_message' }),
    ...(author.appName ? { appName: author.appName } : {}),
  };
}

/**
 * Something outside the model failed on the job's last attempt (Slack down, Redis lost, a worker
 * that kept dying): the person still gets a message saying so, with Retry, instead of a
 * placeholder left "thinking".
 */
export async function tellAnswerFailed(job: JobHandle<QuestionJob>, deps: Pick<QuestionDeps, 'messages' | 'settings' | 'logger'>, error: unknown): Promise<void> {
  deps.logger.error({ err: error }, 'answer failed outside the model call');
  const text = ':warning: Something went wrong while answering (the bot could not reach Slack or its queue). Please try again.';
  const place: AnswerPlace = { teamId: job.data.teamId, channel: job.data.channel, threadTs: job.data.threadTs, jobId: job.id };
  if (!job.data.answerTs) {
    await deps.messages.post(place, text, 'notice');
    return;
  }
  // A natively streamed answer may still be streaming: Slack refuses chat.update until it is stopped.
  await endAbandonedStream(place, job.data.answerTs, deps.settings.streaming, deps);
  await new MessageAnswer(deps.messages, place, job.data.answerTs, deps.settings.messageOptions, deps.logger).finish({ markdown: text, state: 'failed', sources: [], steps: [] });
}

export type { AnswerOutcome };
