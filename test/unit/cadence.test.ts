import { describe, expect, it } from 'vitest';
import { afterPush, afterSkip, decideUpdate, type CadencePolicy } from '../../src/core/cadence.js';

const policy: CadencePolicy = { intervalMs: 1000, minNewChars: 10 };

describe('decideUpdate', () => {
  it('shows the first text at once', () => {
    expect(decideUpdate({ lastPushAt: undefined, lastPushedLength: 0 }, 3, 0, policy)).toEqual({ push: true });
  });

  it('never pushes unchanged text', () => {
    expect(decideUpdate(afterPush(50, 0), 50, 10_000, policy).push).toBe(false);
  });

  it('waits for the rest of the interval after a push', () => {
    expect(decideUpdate(afterPush(5, 1000), 100, 1300, policy)).toEqual({ push: false, retryInMs: 700 });
    expect(decideUpdate(afterPush(5, 1000), 100, 2000, policy)).toEqual({ push: true });
  });

  it('skips an update for a few new characters', () => {
    expect(decideUpdate(afterPush(50, 0), 55, 5000, policy).push).toBe(false);
    expect(decideUpdate(afterPush(50, 0), 60, 5000, policy).push).toBe(true);
  });

  it('allows at most one update per interval over a long stream', () => {
    let state = { lastPushAt: undefined as number | undefined, lastPushedLength: 0 };
    let pushes = 0;
    for (let now = 0, length = 0; now < 10_000; now += 20, length += 4) {
      if (decideUpdate(state, length, now, policy).push) {
        pushes += 1;
        state = afterPush(length, now);
      }
    }
    expect(pushes).toBeLessThanOrEqual(11);
    expect(pushes).toBeGreaterThanOrEqual(9);
  });

  it("waits for the Slack scheduler's pace after a push, when it is longer than the interval", () => {
    expect(decideUpdate(afterPush(5, 1000, 24_000), 100, 2000, policy)).toEqual({ push: false, retryInMs: 23_000 });
    expect(decideUpdate(afterPush(5, 1000, 24_000), 100, 25_000, policy)).toEqual({ push: true });
  });

  it('tries a skipped update again no sooner than the scheduler advised, even the first text', () => {
    const skipped = afterSkip({ lastPushAt: undefined, lastPushedLength: 0 }, 0, 5000);
    expect(decideUpdate(skipped, 40, 1000, policy)).toEqual({ push: false, retryInMs: 4000 });
    expect(decideUpdate(skipped, 40, 5000, policy)).toEqual({ push: true });
  });
});
