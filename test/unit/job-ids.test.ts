import { describe, expect, it } from 'vitest';
import {
  composeJobId,
  continueJobId,
  encodeKeyPart,
  IdPartError,
  isJobId,
  MAX_ID_PART_CHARS,
  noticeJobId,
  parseJobId,
  questionJobId,
  questionOfJobId,
  questionTsOfJobId,
  answerOfJobId,
} from '../../src/core/job-ids.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';

/** Job ids and Redis key parts come from one encoder that cannot give two inputs one name. */
const TS = '1700000000.000100';

/** A small deterministic generator, so a failure names an input that can be replayed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const ALPHABET = ['A', 'z', '0', '9', '.', '_', '-', '--', ':', '%', '%2D', ' ', '\r\n', '*', 'é', '漢', '🙂', '|', '{', '}', '/', ''];

function randomPart(next: () => number): string {
  const length = 1 + Math.floor(next() * 6);
  let part = '';
  for (let index = 0; index < length; index += 1) part += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return part.length > 0 ? part : 'x';
}

describe('job ids', () => {
  it('keep the ids Slack-shaped values always had, so jobs queued before read back the same', () => {
    expect(questionJobId('T0TEST', 'C0GENERAL', TS)).toBe(`q-T0TEST-C0GENERAL-${TS}`);
    expect(continueJobId('T0TEST', 'C0GENERAL', TS)).toBe(`continue-T0TEST-C0GENERAL-${TS}`);
    // An answer posted before the encoder carries such an id in its metadata.
    expect(questionTsOfJobId(`q-T0TEST-C0GENERAL-${TS}`)).toBe(TS);
    expect(questionOfJobId(`q-T0TEST-C0GENERAL-${TS}`)).toEqual({ teamId: 'T0TEST', channel: 'C0GENERAL', messageTs: TS });
  });

  it('differ for T0TEST + CA-B and T0TEST-CA + B', () => {
    const one = questionJobId('T0TEST', 'CA-B', TS);
    const other = questionJobId('T0TEST-CA', 'B', TS);
    expect(one).not.toBe(other);
    expect(questionOfJobId(one)).toEqual({ teamId: 'T0TEST', channel: 'CA-B', messageTs: TS });
    expect(questionOfJobId(other)).toEqual({ teamId: 'T0TEST-CA', channel: 'B', messageTs: TS });
  });

  it('never hold the ":" BullMQ refuses, whatever the parts', () => {
    const id = questionJobId('T:1', 'C\r\n:*', '1.2');
    expect(id).not.toContain(':');
    expect(id).toMatch(/^[\w.%-]+$/);
  });

  it('read back exactly what was written, and two different inputs never share an id', () => {
    const next = generator(17);
    const seen = new Map<string, string>();
    for (let round = 0; round < 3000; round += 1) {
      const parts = Array.from({ length: 1 + Math.floor(next() * 4) }, () => randomPart(next));
      const id = composeJobId('q', ...parts);
      expect(parseJobId(id)).toEqual({ kind: 'q', parts });
      const input = JSON.stringify(parts);
      const earlier = seen.get(id);
      if (earlier !== undefined) expect(earlier).toBe(input);
      seen.set(id, input);
    }
    expect(seen.size).toBeGreaterThan(2500);
  });

  it('refuse empty parts, parts longer than any Slack id, and text that is not well-formed', () => {
    expect(() => questionJobId('T0TEST', '', TS)).toThrow(IdPartError);
    expect(() => questionJobId('T0TEST', 'C0GENERAL', 'x'.repeat(100_000))).toThrow(IdPartError);
    expect(() => questionJobId('T0TEST', 'x'.repeat(MAX_ID_PART_CHARS + 1), TS)).toThrow(IdPartError);
    expect(questionJobId('T0TEST', 'x'.repeat(MAX_ID_PART_CHARS), TS)).toContain('x'.repeat(MAX_ID_PART_CHARS));
    expect(() => questionJobId('T0TEST', 'C\uD800', TS)).toThrow(IdPartError);
    expect(() => composeJobId('Q-1', 'x')).toThrow(IdPartError);
  });

  it('are only what the encoder writes: look-alikes, foreign shapes and other kinds are no question ids', () => {
    for (const value of ['', '*', 'q', 'q-', 'q--C-1.2', `q-%54%30-C0GENERAL-${TS}`, `q-T0TEST-CA%2db-${TS}`, `q-T0TEST-C%2-${TS}`, `q:T0TEST:C0GENERAL:${TS}`, 'x'.repeat(5000)]) {
      expect(questionOfJobId(value), value.slice(0, 40)).toBeUndefined();
    }
    expect(isJobId('q-T0TEST-C0GENERAL-1700000000.000100')).toBe(true);
    expect(isJobId('q-T0TEST-C0GENERAL-1700000000.000100\n')).toBe(false);
    expect(questionOfJobId(`q-T0TEST-C0GENERAL-${TS}-notice`)).toBeUndefined();
    expect(questionOfJobId(noticeJobId('T0TEST', 'C0GENERAL', TS))).toBeUndefined();
    expect(questionOfJobId(continueJobId('T0TEST', 'C0GENERAL', TS))).toBeUndefined();
    expect(questionOfJobId(questionJobId('T0TEST', 'C0GENERAL', 'not-a-ts'))).toBeUndefined();
  });

  it('name the answer a button is on: a question’s, or a Continue’s', () => {
    expect(answerOfJobId(questionJobId('T0TEST', 'C0GENERAL', TS))).toEqual({ teamId: 'T0TEST', channel: 'C0GENERAL', messageTs: TS });
    expect(answerOfJobId(continueJobId('T0TEST', 'C0GENERAL', TS))).toEqual({ teamId: 'T0TEST', channel: 'C0GENERAL', messageTs: TS });
    expect(answerOfJobId(noticeJobId('T0TEST', 'C0GENERAL', TS))).toBeUndefined();
  });
});

describe('Redis key names', () => {
  const keys = new RedisKeys('{aws-orchestrator}');

  it('keep the names they had for Slack ids, days and job ids', () => {
    expect(keys.threadQueue('T0TEST', 'C0GENERAL', TS)).toBe(`{aws-orchestrator}:thread-queue:T0TEST:C0GENERAL:${TS}`);
    expect(keys.usageDay('T0TEST', '2026-01-31')).toBe('{aws-orchestrator}:usage:T0TEST:2026-01-31');
    expect(keys.stopRequested(questionJobId('T0TEST', 'C0GENERAL', TS))).toBe(`{aws-orchestrator}:stop:q-T0TEST-C0GENERAL-${TS}`);
    expect(keys.slackBudget('T0TEST', 'chat.update')).toBe('{aws-orchestrator}:slack-budget:T0TEST:chat.update');
    // The feedback script appends a vote's day to this prefix to find that day's counts.
    expect(keys.feedback('T0TEST', '') + '2026-01-31').toBe(keys.feedback('T0TEST', '2026-01-31'));
  });

  it('cannot be given an extra level or made to collide by a value', () => {
    expect(keys.threadQueue('T', 'C:x', '1.1')).not.toBe(keys.threadQueue('T:C', 'x', '1.1'));
    expect(keys.stopRequested('*')).toBe('{aws-orchestrator}:stop:%2A');
    expect(keys.stopRequested('a\r\nDEL b')).toBe('{aws-orchestrator}:stop:a%0D%0ADEL%20b');
    expect(keys.stopRequested('x%2Ay')).not.toBe(keys.stopRequested('x*y'));
    expect(encodeKeyPart('{tag}')).toBe('%7Btag%7D');
  });

  it('refuse a value longer than any Slack id before Redis sees it', () => {
    expect(() => keys.feedbackVotes('q'.repeat(100_000))).toThrow(IdPartError);
    expect(() => keys.stopRequested('x'.repeat(MAX_ID_PART_CHARS + 1))).toThrow(IdPartError);
  });
});
