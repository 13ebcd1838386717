import type Anthropic from '@anthropic-ai/sdk';
import type { ModelEvent, ModelRequest } from '../model/claude.js';
import { ModelError } from '../model/errors.js';
import type { Logger } from '../ops/logger.js';
import type { AnswerCache } from './answer-cache.js';
import { answerReuseKey, readdress, ReaddressedStream, reusableQuestion, type ReusableQuestion } from './answer-reuse.js';
import type { InflightAnswers, InflightFollower, InflightLeader } from './inflight.js';
import { ZERO_USAGE, type ServedFrom } from './usage-fields.js';

/**
 * A model stream that answers a first question from the answer cache, or from another worker's
 * call for the same question when one is in flight, and otherwise calls the model (leading, so
 * that identical questions arriving meanwhile can share the call). It yields exactly what a model
 * stream yields; the final event says where the answer came from, with zero usage when no model
 * call of its own was made.
 */
export type ModelDone = Extract<ModelEvent, { type: 'done' }>;
export type AnswerStreamEvent = Exclude<ModelEvent, ModelDone> | (ModelDone & { servedFrom?: Exclude<ServedFrom, 'model'> });
export type ModelStreamFn = (client: Anthropic, request: ModelRequest) => AsyncGenerator<AnswerStreamEvent>;

/** The marker under an answer taken from the cache. */
export const CACHED_ANSWER_NOTE = ':zap: _Reused answer: this exact question was answered recently, so no new model call was made. Reply in this thread for a fresh one._';

export interface SharedStreamDeps {
  cache: AnswerCache;
  inflight: InflightAnswers;
  logger: Logger;
}

export interface SharedQuestion {
  jobId: string;
  userId: string;
}

/** Claims can race with a leader finishing; a few looks settle it. */
const CLAIM_ATTEMPTS = 3;

export function sharedModelStream(inner: ModelStreamFn, deps: SharedStreamDeps, asker: SharedQuestion): ModelStreamFn {
  return async function* (client, request) {
    const reusable = reusableQuestion(request.turns);
    if (!reusable) return yield* inner(client, request);
    const hash = answerReuseKey(reusable.question, { model: request.model, temperature: request.temperature, maxTokens: request.maxTokens, system: request.system });
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const found = await lookUp(deps, hash, asker, reusable).catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'answer reuse unavailable; calling the model');
        return 'unavailable' as const;
      });
      if (found === 'unavailable') break;
      if (found === undefined) continue;
      if (found.role === 'cached') return yield* fromCache(found.text, found.model);
      if (found.role === 'leader') return yield* lead(found, inner, client, request, deps, hash, reusable);
      return yield* follow(found, request, asker);
    }
    return yield* inner(client, request);
  };
}

type Found = { role: 'cached'; text: string; model: string } | InflightLeader | InflightFollower;

async function lookUp(deps: SharedStreamDeps, hash: string, asker: SharedQuestion, reusable: ReusableQuestion): Promise<Found | undefined> {
  const cached = await deps.cache.get(hash);
  if (cached) return { role: 'cached', text: readdress(cached.text, cached.askedBy, asker.userId), model: cached.model };
  return deps.inflight.claim(hash, asker.jobId, reusable.author);
}

async function* fromCache(text: string, model: string): AsyncGenerator<AnswerStreamEvent> {
  yield { type: 'text', text };
  yield { type: 'done', usage: { ...ZERO_USAGE }, stopReason: 'end_turn', model, requestId: undefined, servedFrom: 'cache' };
}

async function* lead(
  leader: InflightLeader,
  inner: ModelStreamFn,
  client: Anthropic,
  request: ModelRequest,
  deps: SharedStreamDeps,
  hash: string,
  reusable: ReusableQuestion,
): AsyncGenerator<AnswerStreamEvent> {
  let text = '';
  try {
    for await (const event of inner(client, request)) {
      if (event.type === 'text') {
        text += event.text;
        leader.text(event.text);
        yield event;
        continue;
      }
      leader.done(event.stopReason, event.model);
      // Only complete answers are worth reusing: a cut or refused one is not the answer.
      if (event.stopReason === 'end_turn' && text.trim() !== '') {
        await deps.cache
          .set(hash, { text, model: event.model, askedBy: reusable.author, at: Date.now() })
          .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not cache the answer'));
      }
      yield event;
      return;
    }
  } catch (error) {
    leader.failed(error instanceof ModelError ? error.kind : 'unknown');
    throw error;
  } finally {
    await leader.close();
  }
}

async function* follow(follower: InflightFollower, request: ModelRequest, asker: SharedQuestion): AsyncGenerator<AnswerStreamEvent> {
  let rewrite: ReaddressedStream | undefined;
  for await (const event of follower.events(request.signal)) {
    switch (event.type) {
      case 'start':
        rewrite = new ReaddressedStream(event.author, asker.userId);
        break;
      case 'text': {
        const shown = rewrite ? rewrite.push(event.text) : event.text;
        if (shown) yield { type: 'text', text: shown };
        break;
      }
      case 'done': {
        const rest = rewrite?.flush() ?? '';
        if (rest) yield { type: 'text', text: rest };
        yield { type: 'done', usage: { ...ZERO_USAGE }, stopReason: event.stopReason, model: event.model, requestId: undefined, servedFrom: 'shared' };
        return;
      }
      case 'failed':
        // Whatever stopped the leader, this question's own retry (which may lead) decides what to tell.
        throw new ModelError('stream_interrupted', `the answer being shared failed (${event.kind})`);
    }
  }
  throw new ModelError('stream_interrupted', 'the answer being shared ended without a final message');
}
