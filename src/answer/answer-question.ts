import type Anthropic from '@anthropic-ai/sdk';
import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { buildConversation, type Conversation, type ThreadMessage } from '../core/conversation.js';
import { withInputNotes } from '../core/input-notes.js';
import { asContinuation } from '../core/continuation.js';
import { ModelError } from '../model/errors.js';
import { streamAnswer, type ModelUsage, type StopReason } from '../model/claude.js';
import { backoffDelayMs } from '../model/retry-policy.js';
import { systemPrompt } from '../model/system-prompt.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import type { QuestionJob } from '../queue/jobs.js';
import { withStopRequested } from '../queue/stop-signals.js';
import { sleep, slackErrorCode } from '../slack/client.js';
import { endAbandonedStream, startNativeAnswer, type NativeStreamAnswer } from './native-stream.js';
import type { FinishOptions, SlackPublisher } from './slack-publisher.js';
import { readThreadOnce, ThreadCache } from './thread-cache.js';
import { CACHED_ANSWER_NOTE, type ModelStreamFn } from '../usage/shared-model-stream.js';
import type { UsageService } from '../usage/usage-service.js';

/**
 * One question, start to finish: placeholder → thread → model stream → final answer. Each step
 * that creates something in Slack records it on the job first, so a job picked up again after a
 * crash continues in the same messages.
 */
export interface BotIdentity {
  userId: string;
  botId: string | undefined;
}

export interface AnswerDeps {
  config: Config;
  slack: WebClient;
  anthropic: Anthropic;
  publisher: SlackPublisher;
  redis: Redis;
  keys: RedisKeys;
  bot: BotIdentity;
  logger: Logger;
  /** Limits, usage records and answer reuse (usage/); absent, every question goes to the model. */
  usage?: UsageService;
}

/** What the job persists about itself between attempts; `data` is always the latest saved. */
export interface JobHandle {
  id: string;
  readonly data: QuestionJob;
  update(data: QuestionJob): Promise<void>;
}

export interface AnswerOutcome {
  /** refused: over a usage limit, told so, no model call (usage/answer-within-limits.ts). */
  status: 'answered' | 'truncated' | 'stopped' | 'failed' | 'refused';
  usage?: ModelUsage;
  model?: string;
  stopReason?: StopReason;
  firstTokenAt?: number;
  firstVisibleAt?: number;
  finishedAt: number;
  error?: ModelError;
  /** Set when the answer made no model call of its own (its usage is then zero). */
  servedFrom?: 'cache' | 'shared';
}

/** How long the bot stays part of a thread it answered in (follow-ups need no mention). */
const JOINED_THREAD_SECONDS = 30 * 24 * 3600;
/** The shortened history still keeps the last exchange or two. */
const MIN_HISTORY_BUDGET = 1000;

export async function answerQuestion(job: JobHandle, deps: AnswerDeps, signal?: AbortSignal): Promise<AnswerOutcome> {
  const { publisher } = deps;
  const place = { teamId: job.data.teamId, channel: job.data.channel, threadTs: job.data.threadTs, jobId: job.id };
  if (job.data.deliveredAt) {
    deps.logger.info({ deliveredAt: job.data.deliveredAt }, 'answer already delivered by an earlier run of this job');
    return { status: 'answered', finishedAt: job.data.deliveredAt };
  }

  let answerTs = job.data.answerTs;
  // A new answer streams natively where Slack offers it; a job run again continues its message.
  let nativeStream: NativeStreamAnswer | undefined;
  if (!answerTs) {
    nativeStream = await startNativeAnswer(place, job.data, deps);
    answerTs = nativeStream?.ts ?? (await publisher.postPlaceholder(place));
    await job.update({ ...job.data, answerTs });
  } else {
    await endAbandonedStream(place, answerTs, deps);
  }
  await deps.redis.set(deps.keys.joinedThread(place.teamId, place.channel, place.threadTs), '1', 'EX', JOINED_THREAD_SECONDS);
  signal = await withStopRequested(deps.redis, deps.keys, job.id, signal);

  const answer = nativeStream ?? publisher.stream(place, answerTs, job.data.followUpTs ?? []);
  const thread = await readThreadOrQuestion(job.data, deps);
  const excludeTs = new Set([answerTs, ...(job.data.followUpTs ?? [])]);
  const buildFor = (tokenBudget: number) => {
    const conversation = conversationFor(thread, job.data, deps, excludeTs, tokenBudget);
    return job.data.continueFromTs ? asContinuation(conversation, job.data.userId) : conversation;
  };
  const modelDeps = { ...deps, streamModel: deps.usage?.modelStreamFor(job.id, job.data) };
  const outcome = await produceAnswer(answer, buildFor, job.data, modelDeps, signal, (followUpTs) => job.update({ ...job.data, answerTs: answerTs!, followUpTs }));
  // A failed answer stays open: its Retry button runs this same job again.
  if (outcome.status !== 'failed') await job.update({ ...job.data, deliveredAt: outcome.finishedAt });
  return outcome;
}

/** Where an answer is shown while it is written: a Slack message, or a slash command's response_url. */
export interface AnswerSurface {
  readonly firstVisibleAt: number | undefined;
  show(markdownSoFar: string): void;
  restart(status: string): void;
  finish(markdown: string, options: FinishOptions, onFollowUps?: (ts: string[]) => Promise<void>): Promise<unknown>;
}

/** What the model loop needs: no Slack, no Redis (the terminal client, `npm run ask`, runs it too). */
export interface ModelDeps {
  config: Pick<Config, 'model'>;
  anthropic: Anthropic;
  logger: Logger;
  /** The model call; default streamAnswer (usage/ may answer first questions from a cache or a shared call). */
  streamModel?: ModelStreamFn | undefined;
}

/**
 * The model loop shared by every surface: stream, retry what is worth retrying into the same
 * surface (the text shown so far is replaced, never appended twice), shorten the history once
 * when the context is too long, and always end with a final text.
 */
export async function produceAnswer(
  answer: AnswerSurface,
  conversationWithin: (tokenBudget: number) => Conversation,
  question: Pick<QuestionJob, 'teamId' | 'userId'>,
  deps: ModelDeps,
  signal: AbortSignal | undefined,
  onFollowUps?: (ts: string[]) => Promise<void>,
): Promise<AnswerOutcome> {
  const { config } = deps;
  let budget = config.model.historyTokenBudget;
  let conversation = conversationWithin(budget);

  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await streamInto(answer, conversation, question, deps, signal);
      const truncated = result.stopReason === 'max_tokens';
      await answer.finish(
        result.text,
        withInputNotes(
          {
            state: truncated ? 'truncated' : 'done',
            ...(truncated ? { footnote: `_The answer reached the length limit (${config.model.maxTokens} tokens). Press Continue for the rest._` } : {}),
            ...(result.servedFrom === 'cache' ? { footnote: CACHED_ANSWER_NOTE } : {}),
          },
          conversation,
          config.model.maxQuestionChars,
        ),
        onFollowUps,
      );
      return {
        status: truncated ? 'truncated' : 'answered',
        usage: result.usage,
        model: result.model,
        stopReason: result.stopReason,
        ...(result.firstTokenAt ? { firstTokenAt: result.firstTokenAt } : {}),
        ...(answer.firstVisibleAt ? { firstVisibleAt: answer.firstVisibleAt } : {}),
        finishedAt: Date.now(),
        ...(result.servedFrom ? { servedFrom: result.servedFrom } : {}),
      };
    } catch (caught) {
      if (!(caught instanceof StreamFailure)) throw caught;
      const { error, partialText } = caught;
      if (error.kind === 'cancelled') {
        await answer.finish(partialText.length > 0 ? `${partialText}\n\n_⏹ Stopped._` : '_⏹ Stopped before any text was written._', { state: 'stopped' });
        return { status: 'stopped', finishedAt: Date.now() };
      }
      if (error.kind === 'context_too_long' && budget === config.model.historyTokenBudget) {
        // Once, with a much shorter history, before telling anyone: the newest turns matter most.
        budget = Math.max(MIN_HISTORY_BUDGET, Math.floor(budget / 4));
        deps.logger.warn({ model: error.toLog(), historyTokenBudget: budget }, 'context too long; retrying with a shorter history');
        conversation = conversationWithin(budget);
        answer.restart(':hourglass_flowing_sand: _The thread is long; reading its most recent part…_');
        attempt -= 1;
        continue;
      }
      if (!error.retryable || attempt >= config.model.maxAttempts) {
        deps.logger.error({ model: error.toLog(), attempt }, 'model call failed for good');
        await answer.finish(`:warning: ${error.userMessage}`, { state: 'failed' });
        return { status: 'failed', error, finishedAt: Date.now() };
      }
      const delayMs = backoffDelayMs(attempt, { maxAttempts: config.model.maxAttempts, baseMs: config.model.retryBaseMs, maxMs: config.model.retryMaxMs }, error.details.retryAfterMs);
      deps.logger.warn({ model: error.toLog(), attempt, delayMs }, 'model call failed; retrying');
      answer.restart(`:hourglass_flowing_sand: _The model is busy; retrying (attempt ${attempt + 1} of ${config.model.maxAttempts})…_`);
      await sleep(delayMs, signal);
    }
  }
}

function conversationFor(thread: ThreadMessage[], job: QuestionJob, deps: AnswerDeps, excludeTs: ReadonlySet<string>, tokenBudget: number): Conversation {
  return buildConversation(thread, {
    botUserId: deps.bot.userId,
    ...(deps.bot.botId ? { botId: deps.bot.botId } : {}),
    questionTs: job.messageTs,
    excludeTs,
    tokenBudget,
    maxMessageChars: deps.config.model.maxQuestionChars,
  });
}

/**
 * The thread is the memory, but an answer must not depend on being able to read it: if Slack
 * refuses (a channel the bot cannot read, a deleted thread), the question alone is answered.
 */
async function readThreadOrQuestion(job: QuestionJob, deps: AnswerDeps): Promise<ThreadMessage[]> {
  const question: ThreadMessage = { ts: job.messageTs, user: job.userId, text: job.text };
  // A question that starts its thread is the whole conversation and the job carries it: reading
  // the thread would spend a conversations.replies call (Tier 3, the scarcest Slack budget under
  // load, see BENCHMARKS.md) to learn nothing more.
  if (job.threadTs === job.messageTs && !job.continueFromTs) return [question];
  try {
    const cache = new ThreadCache(deps.redis, deps.keys, deps.config.slack.threadCacheTtlSeconds, deps.bot);
    const thread = await readThreadOnce(deps.slack, cache, job, job.messageTs);
    return thread.some((message) => message.ts === job.messageTs) ? thread : [...thread, question];
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === undefined) throw error;
    deps.logger.warn({ slackError: code }, 'could not read the thread; answering the question alone');
    return [question];
  }
}

class StreamFailure extends Error {
  constructor(
    readonly error: ModelError,
    readonly partialText: string,
  ) {
    super(error.message);
  }
}

interface StreamResult {
  text: string;
  usage: ModelUsage;
  model: string;
  stopReason: StopReason;
  firstTokenAt: number | undefined;
  servedFrom?: 'cache' | 'shared' | undefined;
}

async function streamInto(answer: AnswerSurface, conversation: Conversation, job: Pick<QuestionJob, 'teamId' | 'userId'>, deps: Omit<ModelDeps, 'logger'>, signal?: AbortSignal): Promise<StreamResult> {
  const { model } = deps.config;
  let text = '';
  let firstTokenAt: number | undefined;
  try {
    for await (const event of (deps.streamModel ?? streamAnswer)(deps.anthropic, {
      system: systemPrompt(model.systemPrompt),
      turns: conversation.turns,
      model: model.name,
      temperature: model.temperature,
      maxTokens: model.maxTokens,
      endUserId: `${job.teamId}-${job.userId}`,
      ...(signal ? { signal } : {}),
    })) {
      if (event.type === 'text') {
        firstTokenAt ??= Date.now();
        text += event.text;
        answer.show(text);
      } else {
        return { text, usage: event.usage, model: event.model, stopReason: event.stopReason, firstTokenAt, servedFrom: 'servedFrom' in event ? (event.servedFrom as StreamResult['servedFrom']) : undefined };
      }
    }
  } catch (error) {
    if (error instanceof ModelError) throw new StreamFailure(error, text);
    throw error;
  }
  throw new StreamFailure(new ModelError('stream_interrupted', 'the stream ended without a final message'), text);
}
