import { beforeEach, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { countedSpan, SlackBudget, slackWriteBudgets, type SlackBudgets, type WriteRequest } from '../../src/publish/slack-budget.js';
import { busiestWindow } from '../../bench/measure/slack-bound.js';
import { redisForThisFile } from '../support/redis-for-file.js';

/**
 * The shared Slack scheduler against a real Redis, on a clock the test drives: it must never let
 * more calls into any window than Slack accepts, give finals the earliest slots in the order they
 * ask, keep room for every answer's final and first text, and hand out what is left.
 */
const MINUTE = 60_000;
const TEAM = 'T0TEST';

const redis = redisForThisFile();
let now = 0;
let prefix = 0;

beforeEach(() => {
  now = 1_800_000_000_000;
  prefix += 1;
});

function budgetWith(updates: number, postMessage = slackWriteBudgets(updates, MINUTE)['chat.postMessage']): SlackBudget {
  const budgets: SlackBudgets = { 'chat.update': { windows: [{ limit: updates, windowMs: MINUTE }] }, 'chat.postMessage': postMessage };
  return new SlackBudget(redis.client, new RedisKeys(`test${prefix}`), budgets, () => now);
}

const update = (priority: WriteRequest['priority'], answer?: string, effect?: WriteRequest['effect']): WriteRequest => ({
  method: 'chat.update',
  scope: TEAM,
  teamId: TEAM,
  priority,
  ...(answer ? { answer } : {}),
  ...(effect ? { effect } : {}),
});

describe('final writes', () => {
  it('get the earliest slots the sliding window allows, in the order they ask', async () => {
    const budget = budgetWith(3);
    const waits: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const grant = await budget.take(update('final', `q${i}`, 'done'));
      expect(grant.granted).toBe(true);
      waits.push(grant.granted ? grant.waitMs : Number.NaN);
    }
    const span = countedSpan(MINUTE);
    expect(waits).toEqual([0, 0, 0, span, span, span, 2 * span]);
    expect(busiestWindow(waits, MINUTE)).toBe(3);
  });

  it('that Slack refused anyway take the earliest slot that fits, ahead of the finals that asked after them', async () => {
    const budget = budgetWith(2);
    const span = countedSpan(MINUTE);
    for (const answer of ['a', 'b', 'c', 'd']) await budget.take(update('final', answer, 'done'));
    // a and b now, c and d a window later. Slack refused a's call all the same: it goes again in the
    // first window with room (c and d fill the next one), sharing it with the first final asking after it.
    now += 1000;
    const again = await budget.take(update('final-front'));
    expect(again).toMatchObject({ granted: true, waitMs: 2 * span - 1000 });
    const later = await budget.take(update('final', 'e', 'done'));
    expect(later).toMatchObject({ granted: true, waitMs: 2 * span - 1000 });
    const last = await budget.take(update('final', 'f', 'done'));
    expect(last).toMatchObject({ granted: true, waitMs: 3 * span - 1000 });
  });

  it('wait out a 429 for every writer of the method in that workspace, and only there', async () => {
    const budget = budgetWith(50);
    await budget.rateLimited('chat.update', TEAM, 3000);
    const final = await budget.take(update('final', 'q1', 'done'));
    expect(final).toMatchObject({ granted: true, waitMs: 3000 });
    const intermediate = await budget.take(update('intermediate', 'q2'));
    expect(intermediate.granted).toBe(false);
    expect(intermediate.granted ? 0 : intermediate.retryInMs).toBeGreaterThanOrEqual(3000);
    expect(await budget.take({ ...update('final'), scope: 'T0OTHER', teamId: 'T0OTHER' })).toMatchObject({ granted: true, waitMs: 0 });
  });
});

describe('first texts and intermediate updates', () => {
  it('a first text goes while one slot stays for the final of every answer in flight', async () => {
    const budget = budgetWith(5);
    for (const answer of ['a', 'b', 'c']) await budget.answerStarted(TEAM, answer);
    expect((await budget.take(update('first', 'a', 'shown'))).granted).toBe(true);
    expect((await budget.take(update('first', 'b', 'shown'))).granted).toBe(true);
    // Two calls made, three finals owed: the window has no room for a third first text.
    expect((await budget.take(update('first', 'c', 'shown'))).granted).toBe(false);
    for (const answer of ['a', 'b', 'c']) expect(await budget.take(update('final', answer, 'done'))).toMatchObject({ granted: true, waitMs: 0 });
  });

  it('an intermediate update uses only what is left after the finals and the first texts still owed', async () => {
    const budget = budgetWith(6);
    await budget.answerStarted(TEAM, 'a');
    await budget.answerStarted(TEAM, 'b');
    expect((await budget.take(update('first', 'a', 'shown'))).granted).toBe(true);
    expect((await budget.take(update('intermediate', 'a'))).granted).toBe(true);
    expect((await budget.take(update('intermediate', 'a'))).granted).toBe(true);
    // Three calls, two finals and b's first text owed: the window is spoken for.
    expect((await budget.take(update('intermediate', 'a'))).granted).toBe(false);
    expect((await budget.take(update('first', 'b', 'shown'))).granted).toBe(true);
    expect(await budget.take(update('final', 'a', 'done'))).toMatchObject({ granted: true, waitMs: 0 });
    expect(await budget.take(update('final', 'b', 'done'))).toMatchObject({ granted: true, waitMs: 0 });
  });

  it('nothing but finals goes while a final waits for its slot', async () => {
    const budget = budgetWith(2);
    await budget.take(update('final', 'x', 'done'));
    await budget.take(update('final', 'y', 'done'));
    const waiting = await budget.take(update('final', 'z', 'done'));
    expect(waiting).toMatchObject({ granted: true, waitMs: countedSpan(MINUTE) });
    now += MINUTE / 2;
    const refused = await budget.take(update('first'));
    expect(refused.granted).toBe(false);
    expect(refused.granted ? 0 : refused.retryInMs).toBeGreaterThanOrEqual(countedSpan(MINUTE) - MINUTE / 2);
  });

  it('spaces one answer\'s intermediate updates further apart the more answers are in flight', async () => {
    const budget = budgetWith(50);
    await budget.answerStarted(TEAM, 'alone');
    const alone = await budget.take(update('intermediate', 'alone'));
    expect(alone.paceMs).toBe(Math.ceil(countedSpan(MINUTE) / 50));
    for (let i = 0; i < 19; i += 1) await budget.answerStarted(TEAM, `other${i}`, true);
    const crowded = await budget.take(update('intermediate', 'alone'));
    expect(crowded.paceMs).toBe(Math.ceil((countedSpan(MINUTE) * 20) / 50));
  });

  it("an answer's registration ends with its final", async () => {
    const budget = budgetWith(4);
    await budget.answerStarted(TEAM, 'done-soon');
    await budget.answerStarted(TEAM, 'other');
    await budget.take(update('final', 'done-soon', 'done'));
    // One call made, other's final and first text owed: one intermediate update fits (none would
    // if the finished answer were still counted).
    expect((await budget.take(update('intermediate', 'other'))).granted).toBe(true);
    expect((await budget.take(update('first', 'other', 'shown'))).granted).toBe(true);
    expect((await budget.take(update('intermediate', 'other'))).granted).toBe(false);
  });
});

describe('chat.postMessage', () => {
  it('is counted per channel, with short bursts capped within a second', async () => {
    const budget = budgetWith(50);
    const post = (channel: string): WriteRequest => ({ method: 'chat.postMessage', scope: channel, teamId: TEAM, priority: 'final' });
    const waits = [];
    for (let i = 0; i < 4; i += 1) {
      const grant = await budget.take(post('C1'));
      waits.push(grant.granted ? grant.waitMs : Number.NaN);
    }
    expect(waits).toEqual([0, 0, 0, countedSpan(1000)]);
    expect(await budget.take(post('C2'))).toMatchObject({ granted: true, waitMs: 0 });
  });
});

describe('many answers at once', () => {
  it('never lets more calls into a window than Slack accepts, and serves finals first', async () => {
    const limit = 10;
    const budget = budgetWith(limit);
    // A seeded walk at steps of a tenth of a second: 40 answers start over two minutes, each
    // streams for 2 to 10 s, asking for its first text and then intermediate updates now and
    // then, and asks for its final when the model is done.
    let seed = 7;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const sent: number[] = [];
    const finals: Array<{ askedAt: number; slot: number }> = [];
    const others: number[] = [];
    const answers: Array<{ id: string; endsAt: number; shown: boolean; done: boolean }> = [];
    const start = now;
    for (let tick = 0; answers.length < 40 || answers.some((answer) => !answer.done); tick += 1) {
      now = start + tick * 100;
      if (answers.length < 40 && random() < 0.03) {
        const id = `q${answers.length}`;
        answers.push({ id, endsAt: now + 2000 + Math.floor(random() * 8000), shown: false, done: false });
        await budget.answerStarted(TEAM, id);
      }
      for (const answer of answers) {
        if (answer.done) continue;
        if (now >= answer.endsAt) {
          const grant = await budget.take(update('final', answer.id, 'done'));
          expect(grant.granted).toBe(true);
          sent.push(now + (grant.granted ? grant.waitMs : 0));
          finals.push({ askedAt: now, slot: now + (grant.granted ? grant.waitMs : 0) });
          answer.done = true;
          continue;
        }
        if (random() > 0.2) continue;
        const grant = await budget.take(update(answer.shown ? 'intermediate' : 'first', answer.id, answer.shown ? undefined : 'shown'));
        if (!grant.granted) continue;
        sent.push(now);
        others.push(now);
        answer.shown = true;
      }
    }
    expect(busiestWindow(sent, MINUTE)).toBeLessThanOrEqual(limit);
    expect(others.length).toBeGreaterThan(0);
    // Finals in the order they asked, and no other write while one waited for its slot.
    for (let i = 1; i < finals.length; i += 1) expect(finals[i]!.slot).toBeGreaterThanOrEqual(finals[i - 1]!.slot);
    for (const final of finals) expect(others.filter((at) => at > final.askedAt && at < final.slot)).toEqual([]);
  }, 60_000);
});

describe('pending finals', () => {
  it('are claimed once when due, and taken over only when a claim lapses', async () => {
    const budget = budgetWith(50);
    await budget.deferFinal({ member: 'soon', dueAt: now + 100 });
    await budget.deferFinal({ member: 'later', dueAt: now + 5000 });
    expect(await budget.claimDue(30_000, 10)).toEqual({ members: [], nextDueAt: now + 100 });
    now += 200;
    expect(await budget.claimDue(30_000, 10)).toEqual({ members: ['soon'], nextDueAt: now - 200 + 5000 });
    expect((await budget.claimDue(30_000, 10)).members).toEqual([]);
    now += 30_001;
    expect((await budget.claimDue(30_000, 10)).members).toEqual(['later', 'soon']);
    await budget.settleDeferred('soon');
    await budget.settleDeferred('later');
    expect(await budget.claimDue(30_000, 10)).toEqual({ members: [], nextDueAt: undefined });
  });
});
