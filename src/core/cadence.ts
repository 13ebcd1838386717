/**
 * When a streaming answer is worth another visible update. Slack's chat.update is rate limited
 * per workspace (Tier 3), so a message is never updated per token: at most once per interval,
 * only when the text changed enough to be worth a call, never before the Slack scheduler says
 * the answer's turn may come again (publish/slack-budget.ts: the more answers in flight, the
 * longer), and the final text always goes out. Pure: the caller passes the clock.
 */
export interface CadencePolicy {
  /** Least time between two intermediate updates of one message. */
  intervalMs: number;
  /** Least growth (in characters) that justifies an intermediate update. */
  minNewChars: number;
}

export const DEFAULT_CADENCE: CadencePolicy = { intervalMs: 1000, minNewChars: 12 };

export interface CadenceState {
  /** When the last update was sent or tried (ms), or undefined before the first. */
  lastPushAt: number | undefined;
  /** Length of the model text shown by the last update. */
  lastPushedLength: number;
  /** No update before this time (ms): the scheduler's pace, or its advice after a skipped write. */
  notBefore?: number | undefined;
}

export type CadenceDecision = { push: true } | { push: false; retryInMs: number };

/**
 * The first text goes out as soon as there is any (time to first visible text is what people
 * feel most) unless the scheduler asked to wait; after that, updates wait for the interval, the
 * scheduler's pace and enough new text.
 */
export function decideUpdate(state: CadenceState, textLength: number, now: number, policy: CadencePolicy): CadenceDecision {
  const grown = textLength - state.lastPushedLength;
  if (grown <= 0) return { push: false, retryInMs: policy.intervalMs };
  if (state.notBefore !== undefined && now < state.notBefore) return { push: false, retryInMs: state.notBefore - now };
  if (state.lastPushAt === undefined) return { push: true };
  const waited = now - state.lastPushAt;
  if (waited < policy.intervalMs) return { push: false, retryInMs: policy.intervalMs - waited };
  if (grown < policy.minNewChars) return { push: false, retryInMs: policy.intervalMs };
  return { push: true };
}

/** After an update was sent: the next waits for the interval and for `paceMs` (the scheduler's pace). */
export function afterPush(textLength: number, now: number, paceMs = 0): CadenceState {
  return { lastPushAt: now, lastPushedLength: textLength, notBefore: paceMs > 0 ? now + paceMs : undefined };
}

/** After an update was skipped: tried again no sooner than the scheduler advised, with whatever is newest then. */
export function afterSkip(state: CadenceState, now: number, retryInMs: number): CadenceState {
  return { ...state, lastPushAt: now, notBefore: now + retryInMs };
}
