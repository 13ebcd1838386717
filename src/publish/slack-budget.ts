import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';

/**
 * How the bot spends Slack's rate limits: the one scheduler every write to Slack asks, shared by
 * every worker process through Redis. The policy, with the numbers behind it:
 *
 * 1. Count as Slack counts. Slack limits each Web API method per workspace (chat.postMessage per
 *    channel) over a sliding window of a minute: chat.update is Tier 3, 50 a minute
 *    (SLACK_UPDATES_PER_MINUTE); chat.startStream and chat.stopStream Tier 2, 20; chat.appendStream
 *    Tier 4, 100; chat.postMessage about one a second per channel with short bursts (3 within a
 *    second here). The scheduler keeps the send time of every call in a Redis sorted set per method
 *    and scope, trimmed and counted in one Lua script, and lets a call go only while every window
 *    ending at it holds fewer calls than the limit. Each window is counted a little longer than
 *    Slack's (a second a minute) for the time between a slot taken here and the call reaching Slack.
 * 2. A final write first. It reserves the earliest slot the window allows after every slot taken
 *    or reserved before it, as a send time in the future in the same sorted set: finals go in the
 *    order they ask, each as soon as Slack allows, which is the schedule of the benchmark's lower
 *    bound (bench/measure/slack-bound.ts), and nothing asked later can take that slot.
 * 3. An answer's first text next. Every answer whose message exists is registered in its
 *    workspace (it owes a final update, and a first text while it shows only "Thinking…"). A first
 *    text goes now if the window, after the calls already in it, keeps one slot for the final of
 *    every answer in flight: with 20 answers at once and 50 a minute, 20 first texts and 20 finals
 *    fit in one window.
 * 4. Intermediate writes use what is left: they also leave one slot for every answer that shows no
 *    text yet, and none goes while a Retry-After runs or a final waits for its slot. The cadence
 *    of one answer's intermediate writes slows down as concurrency grows: at least
 *    window × answers in flight ÷ limit apart (1.2 s alone, 24 s for each of 20 answers, 2 minutes
 *    for each of 100 at 50 a minute), on top of SLACK_UPDATE_INTERVAL_MS; a write that was skipped
 *    is tried again after that, with the newer text.
 * 5. Other methods where they fit, so that chat.update is spent on finals: an answer's message is
 *    posted with its first words (chat.postMessage, per channel) instead of a placeholder plus an
 *    update; an answer complete before anything was posted is posted whole and needs no update;
 *    "Thinking…" is posted only when the first words take longer than the receipt delay
 *    (publish/message-answer.ts); in DMs the text streams with chat.appendStream (Tier 4).
 * 6. A final that must wait for its slot does not hold a worker: it is handed to a sorted set of
 *    pending finals in Redis, due at its slot, and written then by whichever worker process is
 *    alive (a leased claim, so that a dead worker's writes are taken over).
 * 7. A 429 holds the method in that scope for every worker until its Retry-After.
 */
export interface WindowLimit {
  /** Most calls Slack accepts in any window of this length. */
  limit: number;
  windowMs: number;
}

export interface MethodBudget {
  /** The first window's room is what priorities share; the others (short bursts) only cap. */
  windows: readonly WindowLimit[];
}

/** Slack's text-streaming methods have tiers of their own (publish/native-stream.ts). */
type StreamMethod = 'chat.startStream' | 'chat.appendStream' | 'chat.stopStream';
export type SlackWriteMethod = 'chat.update' | 'chat.postMessage' | StreamMethod;
export type SlackBudgets = Record<'chat.update' | 'chat.postMessage', MethodBudget> & Partial<Record<StreamMethod, MethodBudget>>;

/**
 * `final`: must be written, gets the earliest slot after those reserved before it; `final-front`:
 * a final that already had its slot (Slack answered 429 anyway), the earliest slot that fits,
 * ahead of later finals; `first`: an answer's first text; `intermediate`: whatever room is left.
 */
export type WritePriority = 'final' | 'final-front' | 'first' | 'intermediate';

/**
 * What a granted write changes for its answer: `posted`, its message now exists with text (it owes
 * a final update); `posted-receipt`, it exists without text (it owes a first text too); `shown`,
 * it shows text now; `done`, it is the answer's last write.
 */
export type WriteEffect = 'posted' | 'posted-receipt' | 'shown' | 'done';

export interface WriteRequest {
  method: SlackWriteMethod;
  /** Where Slack counts the method: the workspace, or the channel for chat.postMessage. */
  scope: string;
  /** The workspace whose answers in flight the priorities count. */
  teamId: string;
  priority: WritePriority;
  /** The answer (job id) the write belongs to. */
  answer?: string;
  effect?: WriteEffect;
}

export type Grant =
  /** Send after waitMs (0 unless a final's slot is later); paceMs: least time before this answer's next intermediate write. */
  | { granted: true; waitMs: number; paceMs: number }
  /** Skipped: worth asking again after retryInMs. */
  | { granted: false; retryInMs: number; paceMs: number };

/** Slack's rate-limit window; the tests and the benchmark shorten it together with the fake Slack's clock. */
const SLACK_WINDOW_MS = 60_000;

/**
 * An answer's registration lapses this long after it started: an answer whose worker died stops
 * holding room for its final. Longer than any answer takes (model retries and tools included).
 */
const REGISTRATION_TTL_MS = 10 * 60_000;

/**
 * Slack's published limits for the methods an answer writes with, in one table. chat.update is
 * configurable (SLACK_UPDATES_PER_MINUTE) because apps outside the Marketplace and Enterprise
 * grids see other numbers.
 */
export function slackWriteBudgets(updatesPerMinute: number, windowMs: number = SLACK_WINDOW_MS): SlackBudgets {
  const perWindow = (limit: number): WindowLimit => ({ limit, windowMs });
  return {
    'chat.update': { windows: [perWindow(updatesPerMinute)] },
    // About one message a second per channel, with short bursts.
    'chat.postMessage': { windows: [perWindow(60), { limit: 3, windowMs: windowMs / 60 }] },
    // Native text streaming: starting and stopping a stream are Tier 2, appending is Tier 4.
    'chat.startStream': { windows: [perWindow(20)] },
    'chat.appendStream': { windows: [perWindow(100)] },
    'chat.stopStream': { windows: [perWindow(20)] },
  };
}

/**
 * A window as counted here: a little longer than Slack's (a second a minute, a quarter of a second
 * at least), for the time between a slot taken here and the call reaching Slack, which counts it
 * when it arrives: a busy worker sending fifty finals due at once spreads their arrival over a
 * good part of that.
 */
export function countedSpan(windowMs: number): number {
  return Math.ceil(windowMs + Math.max(windowMs / 60, MIN_MARGIN_MS));
}

const MIN_MARGIN_MS = 250;

/** A final write handed over to wait for its slot, as stored. */
export interface PendingFinal {
  /** The serialized write (whatever the writer needs to make it). */
  member: string;
  dueAt: number;
}

export class SlackBudget {
  private readonly takeScript: ScriptCommand<[number, number, number]>;
  private readonly startScript: ScriptCommand<number>;
  private readonly claimScript: ScriptCommand<string[]>;
  /** Members of the send-time sets are unique per process: this prefix and a counter. */
  private readonly instance = randomBytes(4).toString('hex');
  private sequence = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    /** A streaming method without a budget is not scheduled. */
    private readonly budgets: SlackBudgets,
    /** The clock slots are counted by (tests drive their own). */
    private readonly clock: () => number = Date.now,
  ) {
    this.takeScript = luaScript(redis, 'slackBudgetTake', new URL('./slack-budget-take.lua', import.meta.url), 4);
    this.startScript = luaScript(redis, 'slackBudgetStart', new URL('./slack-budget-start.lua', import.meta.url), 2);
    this.claimScript = luaScript(redis, 'slackBudgetClaim', new URL('./slack-budget-claim.lua', import.meta.url), 1);
  }

  /** An answer continues in a message that exists already: from now on its final (and first text) is kept room for. */
  async answerStarted(teamId: string, answer: string, showsText = false): Promise<void> {
    await this.startScript([this.keys.slackAnswersInFlight(teamId), this.keys.slackAnswersUnshown(teamId)], [this.clock(), answer, REGISTRATION_TTL_MS, showsText ? 1 : 0]);
  }

  /** Asks for a slot (see the policy above). A method without a budget always goes at once. */
  async take(request: WriteRequest): Promise<Grant> {
    const budget = this.budgets[request.method];
    if (!budget) return { granted: true, waitMs: 0, paceMs: 0 };
    const [granted, ms, paceMs] = await this.takeScript(
      [
        this.keys.slackBudget(request.scope, request.method),
        this.keys.slackBackoff(request.scope, request.method),
        this.keys.slackAnswersInFlight(request.teamId),
        this.keys.slackAnswersUnshown(request.teamId),
      ],
      [
        this.clock(),
        request.priority,
        `${this.instance}.${(this.sequence += 1)}`,
        request.answer ?? '',
        request.effect ?? '',
        REGISTRATION_TTL_MS,
        budget.windows.length,
        ...budget.windows.flatMap((window) => [window.limit, countedSpan(window.windowMs)]),
      ],
    );
    return granted === 1 ? { granted: true, waitMs: Math.max(0, ms), paceMs } : { granted: false, retryInMs: Math.max(1, ms), paceMs };
  }

  /** Slack answered 429: nobody in this scope calls the method again before Retry-After. */
  async rateLimited(method: SlackWriteMethod, scope: string, retryAfterMs: number): Promise<void> {
    await this.redis.set(this.keys.slackBackoff(scope, method), String(this.clock() + retryAfterMs), 'PX', retryAfterMs + 1000);
  }

  /** Hands a final write over to be written at `dueAt` by whichever worker claims it then. */
  async deferFinal(pending: PendingFinal): Promise<void> {
    await this.redis.zadd(this.keys.slackPendingFinals(), pending.dueAt, pending.member);
  }

  /** The pending finals due now, each leased for `leaseMs`; and when the next one is due. */
  async claimDue(leaseMs: number, max: number): Promise<{ members: string[]; nextDueAt: number | undefined }> {
    const reply = await this.claimScript([this.keys.slackPendingFinals()], [this.clock(), leaseMs, max]);
    const next = reply.pop();
    return { members: reply, nextDueAt: next ? Number(next) : undefined };
  }

  /** A pending final was written (or given up): it leaves the set. */
  async settleDeferred(member: string): Promise<void> {
    await this.redis.zrem(this.keys.slackPendingFinals(), member);
  }

  /** A pending final to try again later (its member changes: it records the attempts). */
  async retryDeferred(previous: string, next: PendingFinal): Promise<void> {
    await this.redis.multi().zrem(this.keys.slackPendingFinals(), previous).zadd(this.keys.slackPendingFinals(), next.dueAt, next.member).exec();
  }
}
