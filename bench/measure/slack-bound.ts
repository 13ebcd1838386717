/**
 * The lower bound Slack's published limits put on final lag. Every answer shown by updating its
 * message needs at least one chat.update after its last token, and chat.update is Tier 3: about 50
 * calls per minute per workspace, which Slack (and the fake) count over a sliding window. The
 * earliest any bot could show the complete answers is therefore: the finals alone, in the order
 * their last tokens came, each as soon as the window has room — intermediate updates, placeholders
 * and thread reads not even counted. Pure.
 */
export interface WindowLimit {
  /** Calls allowed in any window. */
  count: number;
  windowMs: number;
}

/** Slack's Tier 3 (chat.update): 50 a minute per workspace. */
export const CHAT_UPDATE_TIER3: WindowLimit = { count: 50, windowMs: 60_000 };

/** The limit as the fake enforces it when its clock runs `timeScale` times faster. */
export function scaledLimit(limit: WindowLimit, timeScale: number): WindowLimit {
  return { count: limit.count, windowMs: limit.windowMs / timeScale };
}

/**
 * The earliest time each release can make its call, in the order given. Greedy in release order is
 * optimal for identical one-call jobs: the k-th call can never go earlier than the k-th slot here.
 * A call is allowed when fewer than `count` calls happened in the `windowMs` before it.
 */
export function earliestSlots(releases: readonly number[], limit: WindowLimit): number[] {
  const order = releases.map((at, index) => ({ at, index })).sort((a, b) => a.at - b.at);
  const slots: number[] = [];
  const result = new Array<number>(releases.length);
  for (const [k, { at, index }] of order.entries()) {
    const previous = k > 0 ? slots[k - 1]! : at;
    const windowFull = k >= limit.count ? slots[k - limit.count]! + limit.windowMs : at;
    const slot = Math.max(at, previous, windowFull);
    slots.push(slot);
    result[index] = slot;
  }
  return result;
}

/** Lower bound of each answer's final lag (ms), given when each answer's last token was sent. */
export function finalLagBounds(lastTokenAt: readonly number[], limit: WindowLimit): number[] {
  const slots = earliestSlots(lastTokenAt, limit);
  return slots.map((slot, index) => slot - lastTokenAt[index]!);
}

/** The most calls that fall in any one window (how much of Slack's limit a run ever used). */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  for (let start = 0, end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}
