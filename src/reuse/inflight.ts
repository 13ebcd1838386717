import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../ops/redis.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { LoopStatus } from '../model/model-loop.js';
import type { ToolSource } from '../model/tools.js';
import type { Logger } from '../ops/logger.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';

/**
 * Identical first questions asked while the first is still being answered share its model call,
 * whichever workers hold them. The first to claim the question's key leads: it calls the model.
 * The others follow: they say so, and read the leader's Redis stream into their own Slack
 * messages. Most answers are never followed, so a leader writes its stream only once it has a
 * follower (it looks with each heartbeat, and when it ends): until then what it would write stays
 * in its memory, and an answer nobody follows costs its claim, its release and, each heartbeat, a
 * look for followers. A leader that dies stops its heartbeat; its followers notice within
 * `staleMs` and answer by themselves.
 */
export type InflightEvent =
  | { type: 'start'; author: string }
  | { type: 'text'; text: string }
  | { type: 'done'; status: LoopStatus; model: string; sources: ToolSource[] }
  | { type: 'failed'; kind: string }
  | { type: 'beat' };

export interface InflightOptions {
  /** How often a leader says it is alive (and keeps its claim), and looks for followers. */
  heartbeatMs: number;
  /** Silence after which followers give the leader up. */
  staleMs: number;
  /** How often followers read the stream. */
  pollMs: number;
  /** How long a leader gathers deltas into one stream entry. */
  flushMs: number;
}

const DEFAULT_INFLIGHT_OPTIONS: InflightOptions = { heartbeatMs: 3000, staleMs: 15_000, pollMs: 100, flushMs: 100 };

/** How long a finished stream stays readable for followers that joined at the last moment. */
const FINISHED_STREAM_MS = 60_000;

export class InflightAnswers {
  private readonly releaseClaim: ScriptCommand<number>;
  private readonly followClaim: ScriptCommand<string | null>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
    private readonly options: InflightOptions = DEFAULT_INFLIGHT_OPTIONS,
  ) {
    this.releaseClaim = luaScript(redis, 'answerReleaseClaim', new URL('./release-claim.lua', import.meta.url), 2);
    this.followClaim = luaScript(redis, 'answerFollowClaim', new URL('./follow-claim.lua', import.meta.url), 2);
  }

  /** Leads when nobody is answering this question, follows the one who is; undefined if that one just finished. */
  async claim(hash: string, jobId: string, author: string): Promise<InflightLeader | InflightFollower | undefined> {
    const lockKey = this.keys.inflightAnswer(hash);
    const followersKey = this.keys.inflightFollowers(hash);
    const streamId = `${jobId}-${randomUUID().slice(0, 8)}`;
    const won = await this.redis.set(lockKey, streamId, 'PX', this.options.staleMs, 'NX');
    if (won === 'OK') return new InflightLeader(this.redis, { release: this.releaseClaim, lockKey, followersKey, streamKey: this.keys.inflightStream(streamId), streamId }, author, this.options, this.logger);
    const current = await this.followClaim([lockKey, followersKey], [this.options.staleMs]);
    return current ? new InflightFollower(this.redis, this.keys.inflightStream(current), this.options) : undefined;
  }
}

/** A leader's claim on a question, and where its followers read. */
interface LeaderClaim {
  release: ScriptCommand<number>;
  lockKey: string;
  followersKey: string;
  streamKey: string;
  streamId: string;
}

export class InflightLeader {
  readonly role = 'leader';
  private pending = '';
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly beatTimer: NodeJS.Timeout;
  /** Commands on one connection are answered in order: the last write settles after all before it. */
  private lastWrite: Promise<unknown> = Promise.resolve();
  /** What the stream would hold, while nobody follows (undefined once it is written). */
  private unshared: InflightEvent[] | undefined;
  /** Done or failed: followers read nothing after that. */
  private ended = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly claim: LeaderClaim,
    author: string,
    private readonly options: InflightOptions,
    private readonly logger: Logger,
  ) {
    this.unshared = [{ type: 'start', author }];
    this.beatTimer = setInterval(() => this.beat(), options.heartbeatMs);
    this.beatTimer.unref();
  }

  text(delta: string): void {
    if (this.ended) return;
    if (this.unshared) {
      const last = this.unshared.at(-1);
      if (last?.type === 'text') last.text += delta;
      else this.unshared.push({ type: 'text', text: delta });
      return;
    }
    this.pending += delta;
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushMs);
  }

  done(status: LoopStatus, model: string, sources: ToolSource[]): void {
    this.end({ type: 'done', status, model, sources });
  }

  failed(kind: string): void {
    this.end({ type: 'failed', kind });
  }

  /** Stops the heartbeat, gives the question's key back and, if anyone followed, finishes their stream. */
  async close(): Promise<void> {
    clearInterval(this.beatTimer);
    this.flush();
    const followed = await this.claim.release([this.claim.lockKey, this.claim.followersKey], [this.claim.streamId]).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not give an answer being written back');
      return 0;
    });
    if (this.unshared && followed === 1) this.share();
    if (this.unshared) return;
    await this.lastWrite;
    await this.redis.pexpire(this.claim.streamKey, FINISHED_STREAM_MS).catch(() => undefined);
  }

  private end(event: InflightEvent): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    if (this.unshared) this.unshared.push(event);
    else this.append(event);
  }

  private beat(): void {
    this.track(this.redis.pexpire(this.claim.lockKey, this.options.staleMs));
    if (!this.unshared) {
      this.append({ type: 'beat' });
      return;
    }
    this.track(
      this.redis.get(this.claim.followersKey).then((follower) => {
        if (follower === this.claim.streamId && this.unshared) this.share();
      }),
    );
  }

  /** Someone follows: the stream gets what happened so far, and from now on each event as it comes. */
  private share(): void {
    const events = this.unshared ?? [];
    this.unshared = undefined;
    for (const event of events) this.append(event);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.append({ type: 'text', text });
  }

  /** Commands on one connection run in order, so entries land in the order they were made. */
  private append(event: InflightEvent): void {
    this.track(this.redis.xadd(this.claim.streamKey, '*', 'e', JSON.stringify(event)));
    // The stream's lifetime is renewed with the heartbeat, not with every piece of text.
    if (event.type === 'start' || event.type === 'beat') this.track(this.redis.pexpire(this.claim.streamKey, this.options.staleMs * 4));
  }

  private track(write: Promise<unknown>): void {
    // Only the last write is kept: keeping every one held a stream's whole history in memory.
    this.lastWrite = write.catch((error: unknown) => this.logger.warn({ err: error }, 'could not share an answer being written'));
  }
}

export class InflightFollower {
  readonly role = 'follower';

  constructor(
    private readonly redis: RedisClient,
    private readonly streamKey: string,
    private readonly options: InflightOptions,
  ) {}

  /**
   * The leader's events from the start, until done or failed; a leader that goes silent for
   * `staleMs` ends it as failed ('silent'), and a Stop as failed ('cancelled').
   */
  async *events(signal?: AbortSignal): AsyncGenerator<Exclude<InflightEvent, { type: 'beat' }>> {
    let lastId = '0';
    let lastHeardAt = Date.now();
    for (;;) {
      if (signal?.aborted) {
        yield { type: 'failed', kind: 'cancelled' };
        return;
      }
      const reply = await this.redis.xread('COUNT', 500, 'STREAMS', this.streamKey, lastId);
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        lastId = id;
        lastHeardAt = Date.now();
        const event = parseEvent(fields);
        if (!event || event.type === 'beat') continue;
        yield event;
        if (event.type === 'done' || event.type === 'failed') return;
      }
      if (Date.now() - lastHeardAt > this.options.staleMs) {
        yield { type: 'failed', kind: 'silent' };
        return;
      }
      await delay(this.options.pollMs, undefined, signal ? { signal } : undefined).catch(() => undefined);
    }
  }
}

function parseEvent(fields: string[]): InflightEvent | undefined {
  const index = fields.indexOf('e');
  const raw = index === -1 ? undefined : fields[index + 1];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as InflightEvent;
  } catch {
    return undefined;
  }
}
