/**
 * When a streaming answer is worth another visible update. Slack's chat.update is rate limited
 * per workspace (Tier 3), so a message is never updated per token: at most once per interval,
 * only when the text changed enough to be worth a call, and the final text always goes out.
 * Pure: the caller passes the clock.
 */
export interface CadencePolicy {
  /** Least time between two intermediate updates of one message. */
  intervalMs: number;
  /** Least growth (in characters) that justifies an intermediate update. */
  minNewChars: number;
}

export const DEFAULT_CADENCE: CadencePolicy = { intervalMs: 1000, minNewChars: 12 };

export interface CadenceState {
  /** When the last update was sent (ms), or undefined before the first. */
  lastPushAt: number | undefined;
  /** Length of the model text shown by the last update. */
  lastPushedLength: number;
}

export type CadenceDecision = { push: true } | { push: false; retryInMs: number };

/**
 * The first text goes out as soon as there is any (time to first visible text is what people
 * feel most); after that, updates wait for the interval and for enough new text.
 */
export function decideUpdate(state: CadenceState, textLength: number, now: number, policy: CadencePolicy): CadenceDecision {
  const grown = textLength - state.lastPushedLength;
  if (grown <= 0) return { push: false, retryInMs: policy.intervalMs };
  if (state.lastPushAt === undefined) return { push: true };
  const waited = now - state.lastPushAt;
  if (waited < policy.intervalMs) return { push: false, retryInMs: policy.intervalMs - waited };
  if (grown < policy.minNewChars) return { push: false, retryInMs: policy.intervalMs };
  return { push: true };
}

export function afterPush(textLength: number, now: number): CadenceState {
  return { lastPushAt: now, lastPushedLength: textLength };
}
