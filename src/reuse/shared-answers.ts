import type { Logger } from '../ops/logger.js';
import type { LoopEvent, LoopRequest, LoopResult, ModelLoop } from '../model/model-loop.js';
import type { AnswerCache } from './answer-cache.js';
import { answerReuseKey, readdress, ReaddressedStream, reusableQuestion, type ReusableQuestion, type ReuseSettings } from './answer-reuse.js';
import type { InflightAnswers, InflightFollower, InflightLeader } from './inflight.js';

/**
 * The model loop, decorated: a first question is answered from the answer cache, or from another
 * worker's answer to the same question when one is being written, and otherwise by the model
 * (leading, so that identical questions arriving meanwhile share the call). It yields what the
 * loop yields; the result says where the answer came from, with no model calls of its own when
 * it made none.
 */
export interface SharedAnswerDeps {
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

export function sharedAnswers(inner: ModelLoop, deps: SharedAnswerDeps, asker: SharedQuestion, settings: Omit<ReuseSettings, 'system' | 'tools'>): ModelLoop {
  return async function* (request, signal) {
    const reusable = reusableQuestion(request.turns);
    if (!reusable) return yield* inner(request, signal);
    const hash = answerReuseKey(reusable.question, { ...settings, system: request.system, tools: request.tools.map((tool) => tool.definition.name) });
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const found = await lookUp(deps, hash, asker, reusable).catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'answer reuse unavailable; calling the model');
        return 'unavailable' as const;
      });
      if (found === 'unavailable') break;
      if (found === undefined) continue;
      if (found.role === 'cached') return yield* fromCache(found);
      if (found.role === 'leader') return yield* lead(found, inner, request, signal, deps, hash, reusable);
      return yield* follow(found, inner, request, signal, asker);
    }
    return yield* inner(request, signal);
  };
}

type Found = { role: 'cached'; text: string; model: string; sources: LoopResult['sources'] } | InflightLeader | InflightFollower;

async function lookUp(deps: SharedAnswerDeps, hash: string, asker: SharedQuestion, reusable: ReusableQuestion): Promise<Found | undefined> {
  const cached = await deps.cache.get(hash);
  if (cached) return { role: 'cached', text: readdress(cached.text, cached.askedBy, asker.userId), model: cached.model, sources: cached.sources };
  return deps.inflight.claim(hash, asker.jobId, reusable.author);
}

function reused(text: string, model: string, sources: LoopResult['sources'], servedFrom: 'cache' | 'shared'): LoopEvent {
  return { type: 'done', result: { status: 'answered', text, calls: [], model, sources, toolCalls: 0, reusableForSeconds: 0, firstTextAt: Date.now(), servedFrom } };
}

async function* fromCache(found: Extract<Found, { role: 'cached' }>): AsyncGenerator<LoopEvent, void> {
  yield { type: 'text', text: found.text };
  yield reused(found.text, found.model, found.sources, 'cache');
}

async function* lead(
  leader: InflightLeader,
  inner: ModelLoop,
  request: LoopRequest,
  signal: AbortSignal | undefined,
  deps: SharedAnswerDeps,
  hash: string,
  reusable: ReusableQuestion,
): AsyncGenerator<LoopEvent, void> {
  try {
    for await (const event of inner(request, signal)) {
      if (event.type === 'text') leader.text(event.text);
      // Followers show only the final text: a retried turn's void text would confuse them.
      if (event.type === 'retrying') leader.failed('retrying');
      if (event.type === 'done') {
        const { result } = event;
        leader.done(result.status, result.model ?? '', result.sources);
        // Only complete answers are worth reusing, and only while what they looked up is current.
        if (result.status === 'answered' && result.text.trim() !== '' && result.model) {
          await deps.cache
            .set(hash, { text: result.text, model: result.model, askedBy: reusable.author, at: Date.now(), sources: result.sources }, result.reusableForSeconds)
            .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not cache the answer'));
        }
      }
      yield event;
    }
  } catch (error) {
    leader.failed('error');
    throw error;
  } finally {
    await leader.close();
  }
}

async function* follow(follower: InflightFollower, inner: ModelLoop, request: LoopRequest, signal: AbortSignal | undefined, asker: SharedQuestion): AsyncGenerator<LoopEvent, void> {
  let rewrite: ReaddressedStream | undefined;
  let shown = '';
  for await (const event of follower.events(signal)) {
    switch (event.type) {
      case 'start':
        rewrite = new ReaddressedStream(event.author, asker.userId);
        break;
      case 'text': {
        const piece = rewrite ? rewrite.push(event.text) : event.text;
        shown += piece;
        if (piece) yield { type: 'text', text: piece };
        break;
      }
      case 'done': {
        const rest = rewrite?.flush() ?? '';
        shown += rest;
        if (rest) yield { type: 'text', text: rest };
        if (event.status !== 'answered' && event.status !== 'truncated') return yield* answerAlone(inner, request, signal);
        yield reused(shown, event.model, event.sources, 'shared');
        return;
      }
      case 'failed':
        if (event.kind === 'cancelled') {
          yield { type: 'done', result: { status: 'stopped', text: shown, calls: [], model: undefined, sources: [], toolCalls: 0, reusableForSeconds: 0 } };
          return;
        }
        // Whatever stopped the leader, this question is answered on its own.
        return yield* answerAlone(inner, request, signal);
    }
  }
}

async function* answerAlone(inner: ModelLoop, request: LoopRequest, signal: AbortSignal | undefined): AsyncGenerator<LoopEvent, void> {
  yield { type: 'retrying', keepChars: 0, status: ':hourglass_flowing_sand: _Answering this one separately…_' };
  yield* inner(request, signal);
}
