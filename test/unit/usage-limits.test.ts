import { describe, expect, it } from 'vitest';
import { expiryOfDay, formatWait, lastDays, nextUtcMidnight, utcDay } from '../../src/core/days.js';
import { admissionFromScript, refusalText } from '../../src/core/limit-rules.js';

const limits = { perMinute: 10, userBudget: 200_000, workspaceBudget: 5_000_000 };
const NOON = Date.parse('2026-05-01T12:00:00Z');

describe('UTC days', () => {
  it('names days and counts back from today', () => {
    expect(utcDay(Date.parse('2026-05-01T23:59:59.999Z'))).toBe('2026-05-01');
    expect(lastDays(Date.parse('2026-03-01T08:00:00Z'), 3)).toEqual(['2026-03-01', '2026-02-28', '2026-02-27']);
    expect(lastDays(NOON, 30)).toHaveLength(30);
  });

  it('resets budgets at the next UTC midnight and keeps a day for its retention after it ends', () => {
    expect(nextUtcMidnight(NOON)).toBe(Date.parse('2026-05-02T00:00:00Z'));
    expect(expiryOfDay('2026-05-01', 90) * 1000).toBe(Date.parse('2026-07-31T00:00:00Z'));
  });

  it('says how long to wait in words', () => {
    expect(formatWait(200)).toBe('1 second');
    expect(formatWait(42_100)).toBe('43 seconds');
    expect(formatWait(60_000)).toBe('1 minute');
    expect(formatWait(150_000)).toBe('3 minutes');
    expect(formatWait(5 * 3600_000 + 20 * 60_000)).toBe('5 h 20 min');
    expect(formatWait(2 * 3600_000)).toBe('2 h');
  });
});

describe('limit decisions', () => {
  it('decodes the Redis script', () => {
    expect(admissionFromScript([0, 0], limits)).toEqual({ kind: 'admitted' });
    expect(admissionFromScript([1, 0], limits)).toEqual({ kind: 'admitted' });
    expect(admissionFromScript([2, NOON + 30_000], limits)).toEqual({ kind: 'rate_limited', retryAtMs: NOON + 30_000, perMinute: 10 });
    expect(admissionFromScript([3, 0], limits)).toEqual({ kind: 'user_budget', budget: 200_000 });
    expect(admissionFromScript([4, 0], limits)).toEqual({ kind: 'workspace_budget', budget: 5_000_000 });
  });

  it('tells people politely when they can ask again', () => {
    expect(refusalText({ kind: 'rate_limited', retryAtMs: NOON + 42_000, perMinute: 10 }, NOON)).toBe(
      ":hourglass: You've asked 10 questions in the last minute, which is the limit here. Please ask again in 42 seconds; I haven't sent this one to the model.",
    );
    expect(refusalText({ kind: 'user_budget', budget: 200_000 }, NOON)).toContain('your daily budget of 200,000 model tokens');
    expect(refusalText({ kind: 'user_budget', budget: 200_000 }, NOON)).toContain('resets at 00:00 UTC, in 12 h');
    expect(refusalText({ kind: 'workspace_budget', budget: 5_000_000 }, NOON)).toContain('This workspace has used its daily budget of 5,000,000 model tokens');
  });
});
