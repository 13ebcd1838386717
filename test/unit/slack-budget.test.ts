import { describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/publish/slack-budget.js';

/** The shared Slack budget's bucket shape: it must never spend more than Slack's sliding minute allows. */
describe('bucketOf', () => {
  it.each([
    { perMinute: 50, burst: 25 },
    { perMinute: 50, burst: 10 },
    { perMinute: 60, burst: 5 },
    { perMinute: 20, burst: 100 },
    { perMinute: 3, burst: 4 },
  ])('allows at most perMinute calls in any minute: %o', (spec) => {
    const { capacity, ratePerMs } = bucketOf(spec);
    // A full bucket spent at once, then a minute of refill.
    expect(capacity + ratePerMs * 60_000).toBeLessThanOrEqual(spec.perMinute);
    expect(capacity).toBeGreaterThanOrEqual(1);
    expect(ratePerMs).toBeGreaterThan(0);
  });

  it('keeps up to half a minute of calls for a burst of final updates', () => {
    expect(bucketOf({ perMinute: 50, burst: 25 }).capacity).toBe(25);
    expect(bucketOf({ perMinute: 50, burst: 40 }).capacity).toBe(25);
    expect(bucketOf({ perMinute: 60, burst: 5 }).capacity).toBe(5);
  });
});
