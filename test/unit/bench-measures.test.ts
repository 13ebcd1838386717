import { describe, expect, it } from 'vitest';
import { busiestWindow, earliestSlots, finalLagBounds, scaledLimit, CHAT_UPDATE_TIER3 } from '../../bench/measure/slack-bound.js';
import { percentile, percentileWithMissing, summarize } from '../../bench/measure/stats.js';
import { streamingFigures } from '../../bench/measure/streaming-figures.js';
import type { AnswerTimeline } from '../../bench/measure/timelines.js';
import { componentOf } from '../../bench/measure/cpu-profile.js';
import { answerText, endMarker, questionIdIn, startMarker } from '../../bench/harness/model-answers.js';
import { resultsFromJson, resultsToJson, type BenchResults } from '../../bench/report/results.js';

describe('percentiles', () => {
  it('are nearest-rank: every figure is a measured value', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(summarize([3, 1, 2])).toMatchObject({ n: 3, p50: 2, max: 3, mean: 2 });
    expect(Number.isNaN(summarize([]).p50)).toBe(true);
  });

  it('count what never happened as later than everything', () => {
    expect(percentileWithMissing([1, 2, 3], 0, 99)).toBe(3);
    expect(percentileWithMissing(Array.from({ length: 99 }, () => 5), 1, 99)).toBe(5);
    expect(percentileWithMissing(Array.from({ length: 98 }, () => 5), 2, 99)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("Slack's lower bound on final lag", () => {
  const limit = { count: 2, windowMs: 1000 };

  it('lets a window of calls through at once, then one as each old call leaves the window', () => {
    expect(earliestSlots([0, 0, 0, 0, 0], limit)).toEqual([0, 0, 1000, 1000, 2000]);
    expect(finalLagBounds([0, 0, 0], limit)).toEqual([0, 0, 1000]);
  });

  it('costs nothing when answers end far enough apart', () => {
    expect(finalLagBounds([0, 600, 1200, 1800], limit)).toEqual([0, 0, 0, 0]);
  });

  it('keeps the order of the input and never goes before a release', () => {
    expect(earliestSlots([500, 0, 0], limit)).toEqual([1000, 0, 0]);
  });

  it('is 60 s for the 51st to 100th of 100 answers ending together at Tier 3, and 6 s on a ×10 clock', () => {
    const bounds = finalLagBounds(new Array(100).fill(0), CHAT_UPDATE_TIER3);
    expect(bounds.filter((b) => b === 0)).toHaveLength(50);
    expect(Math.max(...bounds)).toBe(60_000);
    expect(Math.max(...finalLagBounds(new Array(500).fill(0), scaledLimit(CHAT_UPDATE_TIER3, 10)))).toBe(54_000);
  });
});

describe('streaming figures', () => {
  const timeline = (id: string, overrides: Partial<AnswerTimeline>): AnswerTimeline => ({
    id,
    sentAt: 0,
    modelCalls: 1,
    modelCalledAt: 100,
    firstTokenAt: 600,
    lastTokenAt: 3000,
    answerMessages: 1,
    firstVisibleCallAt: 620,
    firstVisibleAt: 630,
    completeCallAt: 3050,
    completeAt: 3060,
    firstWriteAfterLastTokenAt: 3050,
    rateLimitedAfterLastToken: 0,
    ...overrides,
  });

  it('measures what Slack showed against what the model sent, and counts every fault', () => {
    const figures = streamingFigures(
      [
        timeline('Q00001', {}),
        timeline('Q00002', { answerMessages: 0, completeAt: undefined, completeCallAt: undefined, firstVisibleAt: undefined }),
        timeline('Q00003', { modelCalls: 2 }),
        timeline('Q00004', { completeAt: undefined, completeCallAt: undefined }),
      ],
      CHAT_UPDATE_TIER3,
    );
    expect(figures.delivery).toEqual({ asked: 4, complete: 2, lost: 1, duplicated: 1, incomplete: 1 });
    expect(figures.overheadToFirstVisible.p50).toBe(30);
    expect(figures.firstVisibleBotSide.p50).toBe(20);
    expect(figures.finalLag.max).toBe(60);
    expect(figures.finalLagP99WithMissing).toBe(Number.POSITIVE_INFINITY);
    expect(figures.finalLagBound.max).toBe(0);
    expect(figures.endToEnd.p50).toBe(3060);
  });
});

describe('bench answers', () => {
  it('start and end with markers naming their question, at the length asked for', () => {
    const text = answerText('Q00042', 1200);
    expect(text).toHaveLength(1200);
    expect(text.startsWith(startMarker('Q00042'))).toBe(true);
    expect(text.endsWith(endMarker('Q00042'))).toBe(true);
    expect(questionIdIn('<@U0ASK00042>: [Q00042] How do I peer two VPCs?')).toBe('Q00042');
  });
});

describe('the busiest window', () => {
  it('counts the most calls within any window, as Slack counts them', () => {
    expect(busiestWindow([0, 100, 200, 1000, 1100], 1000)).toBe(3);
    expect(busiestWindow([0, 999, 1998], 1000)).toBe(2);
    expect(busiestWindow([], 1000)).toBe(0);
  });
});

describe('raw results', () => {
  it('survive a round trip through JSON, never-completed answers included', () => {
    const results = { startedAt: 'now', durationSeconds: 1, lag: Number.POSITIVE_INFINITY, unknown: Number.NaN } as unknown as BenchResults;
    expect(resultsFromJson(resultsToJson(results))).toEqual(results);
  });
});

describe('CPU profile components', () => {
  it('name a file of the bot by its source, whether it ran from the source or from the build', () => {
    expect(componentOf('file:///repo/src/publish/slack-messages.ts', '/repo')).toBe('src/publish/slack-messages.ts');
    expect(componentOf('file:///repo/dist/publish/slack-messages.js', '/repo/')).toBe('src/publish/slack-messages.ts');
    expect(componentOf('file:///repo/node_modules/@slack/web-api/dist/WebClient.js', '/repo')).toBe('@slack/web-api');
    expect(componentOf('node:internal/deps/undici/undici', '/repo')).toBeUndefined();
  });
});
