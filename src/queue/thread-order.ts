import type { JobState, Queue } from 'bullmq';
import type { RedisClient } from '../ops/redis.js';
import { compareTs } from '../core/conversation.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';
import type { QuestionJob } from '../core/jobs.js';

/**
 * Answers in one thread go out one at a time, in the order the messages were written, whichever
 * worker takes them: BullMQ's open-source edition has no per-group ordering. Two Redis keys per
 * thread, both of which survive restarts and are shared by every worker:
 *
 * - a sorted set of the questions still to answer (member `<message ts>|<job id>`, score = when
 *   it joined). A question waits while an earlier one of its thread is still waiting or being
 *   answered. The producer joins the set just before it adds the job, so a member whose job does
 *   not exist yet is only given up on after JOIN_GRACE_MS.
 * - the thread's turn: the job id answering now, taken with SET NX. It keeps a question that
 *   arrives late (an earlier ts delivered after a later message started) from being answered at
 *   the same time as the one already running; a holder whose job has finished or vanished
 *   without giving the turn back (its worker died) loses it to the next question.
 *
 * A question that may not start is delayed by the worker and looks again; the one that finishes
 * promotes the next, so a thread rarely waits for the poll interval.
 */

/** States of a job not finished yet: waiting for a worker, or being answered. */
export const STILL_PENDING: ReadonlySet<JobState | 'unknown'> = new Set<JobState | 'unknown'>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
/** Between the producer's join and its add there are a few Redis round trips; this is ample. */
export const JOIN_GRACE_MS = 15_000;
const THREAD_STATE_SECONDS = 24 * 3600;



export type ThreadJob = Pick<QuestionJob, 'teamId' | 'channel' | 'threadTs' | 'messageTs'>;

interface Member {
  member: string;
  joinedAt: number;
}

export class ThreadOrder {
  private readonly joinAndTakeTurnScript: ScriptCommand<[number, string?]>;
  private readonly takeTurnScript: ScriptCommand<number>;
  private readonly releaseTurnScript: ScriptCommand<number>;
  private readonly leaveScript: ScriptCommand<string[]>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly queue: Queue,
    private readonly now: () => number = Date.now,
  ) {
    this.joinAndTakeTurnScript = luaScript(redis, 'threadJoinAndTakeTurn', new URL('./join-and-take-turn.lua', import.meta.url), 2);
    this.takeTurnScript = luaScript(redis, 'threadTakeTurn', new URL('./take-turn.lua', import.meta.url), 1);
    this.releaseTurnScript = luaScript(redis, 'threadReleaseTurn', new URL('./release-turn.lua', import.meta.url), 1);
    this.leaveScript = luaScript(redis, 'threadLeave', new URL('./leave-thread.lua', import.meta.url), 2);
  }

  /** Where the producer enters a question before its job is added, so workers know an earlier question is coming. */
  entry(job: ThreadJob, jobId: string): { key: string; member: string; seconds: number; joinedAt: number } {
    return { key: this.queueKey(job), member: member(job, jobId), seconds: THREAD_STATE_SECONDS, joinedAt: this.now() };
  }

  /**
   * True when the question may be answered now: no earlier question of its thread is still
   * waiting or being answered, and the thread's turn is free (or already this job's). Members
   * whose job finished, failed or vanished are dropped on the way, so a lost job never blocks its
   * thread for good.
   */
  async isTurnOf(job: ThreadJob, jobId: string): Promise<boolean> {
    const key = this.queueKey(job);
    const mine = member(job, jobId);
    // The usual case, one round trip: the question is alone in its thread's queue (a member
    // dropped as stale meanwhile, or expired, takes its place again).
    const [alone, holder] = await this.joinAndTakeTurnScript([key, this.turnKey(job)], [this.now(), mine, jobId, THREAD_STATE_SECONDS]);
    if (alone === 1) return true;
    if (alone === 0) {
      // Alone, yet the turn is held: by a question still running (it gives the turn back when it
      // ends), or by one whose job finished or vanished without giving it back.
      if (holder === undefined || STILL_PENDING.has(await this.queue.getJobState(holder))) return false;
      return this.takeTurn(job, jobId, holder);
    }
    for (const other of await this.members(key)) {
      if (other.member === mine) break;
      const state = await this.queue.getJobState(jobIdOf(other.member));
      const stillComing = state === 'unknown' && this.now() - other.joinedAt < JOIN_GRACE_MS;
      if (STILL_PENDING.has(state) || stillComing) {
        // A job retried after a failure still holds the turn; an earlier question must get it.
        await this.releaseTurnScript([this.turnKey(job)], [jobId]);
        return false;
      }
      await this.redis.zrem(key, other.member);
    }
    return this.takeTurn(job, jobId);
  }

  /** Leaves the thread's order, gives the turn back and wakes the next question if it is waiting. */
  async leave(job: ThreadJob, jobId: string): Promise<void> {
    const [next] = membersOf(await this.leaveScript([this.queueKey(job), this.turnKey(job)], [member(job, jobId), jobId]));
    if (next === undefined) return;
    const nextJob = await this.queue.getJob(jobIdOf(next.member));
    if (nextJob && (await nextJob.isDelayed())) await nextJob.promote().catch(() => undefined);
  }

  private async takeTurn(job: ThreadJob, jobId: string, deadHolder = ''): Promise<boolean> {
    const key = this.turnKey(job);
    // Three tries cover "free", "held by a dead job" and one race with another taker.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if ((await this.takeTurnScript([key], [jobId, deadHolder, THREAD_STATE_SECONDS])) === 1) return true;
      const holder = await this.redis.get(key);
      if (holder === null) continue;
      if (STILL_PENDING.has(await this.queue.getJobState(holder))) return false;
      deadHolder = holder;
    }
    return false;
  }

  /** The thread's questions, oldest message first. */
  private async members(key: string): Promise<Member[]> {
    return membersOf(await this.redis.zrange(key, 0, '-1', 'WITHSCORES'));
  }

  private queueKey(job: ThreadJob): string {
    return this.keys.threadQueue(job.teamId, job.channel, job.threadTs);
  }

  private turnKey(job: ThreadJob): string {
    return this.keys.threadTurn(job.teamId, job.channel, job.threadTs);
  }
}

/** A ZRANGE … WITHSCORES reply as members, oldest message first. */
function membersOf(flat: string[]): Member[] {
  const members: Member[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) members.push({ member: flat[index]!, joinedAt: Number(flat[index + 1]) });
  return members.sort((a, b) => compareTs(tsOf(a.member), tsOf(b.member)) || a.member.localeCompare(b.member));
}

function member(job: ThreadJob, jobId: string): string {
  return `${job.messageTs}|${jobId}`;
}

function tsOf(member: string): string {
  return member.slice(0, member.indexOf('|'));
}

function jobIdOf(member: string): string {
  return member.slice(member.indexOf('|') + 1);
}
