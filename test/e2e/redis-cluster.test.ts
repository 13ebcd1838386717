import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { startFakeSlack, type FakeSlack, type SlackMessage } from '../fakes/slack.js';
import { baseEnv, slackEventsUrl, startBot, type BotProcess } from '../support/bot.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { appMention, feedbackButtonsClick, sendAction, sendEvent, SIGNING_SECRET } from '../support/slack-requests.js';
import { isFinal } from './stack.js';

/**
 * The bot on a real Redis Cluster of three masters (what ElastiCache in cluster mode and
 * Memorystore offer), started by the test: a web process and a worker, configured through
 * REDIS_CLUSTER_NODES and a hash-tagged QUEUE_PREFIX. A question is answered exactly once, its
 * usage is recorded, the per-person limit is applied, a vote is counted, and every key the bot
 * and BullMQ wrote shares the prefix's slot (so every script and multi-key command could run).
 */
const PREFIX = '{aws-orchestrator}';
const TEAM = 'T0TEST';
const CHANNEL = 'C0GENERAL';
const BOT_USER = 'UBOT';

let cluster: RedisCluster;
let slack: FakeSlack;
let anthropic: FakeAnthropic;
let client: Cluster;
let eventsUrl: string;
const bots: BotProcess[] = [];

beforeAll(async () => {
  [cluster, slack, anthropic] = await Promise.all([startRedisCluster(), startFakeSlack(), startFakeAnthropic()]);
  client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 3 } });
  // REDIS_URL names a node that does not own the prefix's slot: a client that is not a Cluster client would be sent elsewhere (MOVED).
  const slot = Number(await client.cluster('KEYSLOT', PREFIX));
  const owner = (await client.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to)![2]![1];
  const other = cluster.nodes.find((node) => node.port !== owner)!;
  const env = {
    ...baseEnv({ slack, anthropic, redis: { url: `redis://${other.host}:${other.port}` } }),
    REDIS_CLUSTER_NODES: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(','),
    QUEUE_PREFIX: PREFIX,
    USER_QUESTIONS_PER_MINUTE: '1',
    ANSWER_CACHE: 'false',
    JOB_LOCK_MS: '4000',
    JOB_STALLED_INTERVAL_MS: '1000',
  };
  const [web, worker] = await Promise.all([startBot(env, { role: 'web' }), startBot(env, { role: 'worker' })]);
  bots.push(web, worker);
  eventsUrl = slackEventsUrl(web.port!);
}, 120_000);
afterAll(async () => {
  await client?.quit().catch(() => undefined);
  await Promise.all(bots.filter((bot) => !bot.exit).map((bot) => bot.kill('SIGKILL')));
  await Promise.all([slack?.close(), anthropic?.close(), cluster?.stop()]);
});

async function ask(text: string, user = 'U0ALICE'): Promise<{ ts: string; status: number }> {
  const posted = slack.addMessage(CHANNEL, { user, text });
  const response = await sendEvent(eventsUrl, SIGNING_SECRET, appMention({ channel: CHANNEL, user, text, ts: posted.ts }));
  return { ts: posted.ts, status: response.status };
}

/** Polls Redis until `read` gives a value (a positive sign, never a fixed sleep). */
async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Redis never showed what the test waited for');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const answersTo = (ts: string): SlackMessage[] => slack.messagesIn(CHANNEL, ts).filter((message) => message.user === BOT_USER && message.ts !== ts);

/** Every key on every master, and the slot each is in. */
async function keysBySlot(): Promise<Map<number, string[]>> {
  const bySlot = new Map<number, string[]>();
  for (const node of client.nodes('master')) {
    for (const key of await node.keys('*')) {
      const slot = Number(await client.cluster('KEYSLOT', key));
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), key]);
    }
  }
  return bySlot;
}

describe('the bot on a Redis Cluster', () => {
  it('answers a question exactly once, records its usage and counts a vote', async () => {
    anthropic.enqueue({ text: 'Use an Application Load Balancer in front of the ECS service.', chunkSize: 8, tokenDelayMs: 20 });
    const asked = await ask(`<@${BOT_USER}> How do I expose an ECS service?`);
    expect(asked.status).toBe(200);
    const answer = await slack.waitFor(() => answersTo(asked.ts).find((message) => isFinal(message) && message.metadata?.event_payload?.kind === 'answer'), 30_000);
    expect(answer.text).toBe('Use an Application Load Balancer in front of the ECS service.');
    expect(answersTo(asked.ts)).toHaveLength(1);
    expect(anthropic.messageRequests()).toHaveLength(1);

    // Usage: the day's hash of the workspace holds this answer's counters.
    const day = new Date().toISOString().slice(0, 10);
    const usageKey = `${PREFIX}:usage:${TEAM}:${day}`;
    const usage = await eventually(async () => {
      const hash = await client.hgetall(usageKey);
      return hash['total|questions'] === '1' ? hash : undefined;
    });
    expect(Number(usage['total|output'])).toBeGreaterThan(0);
    expect(usage['user:U0ALICE|questions']).toBe('1');

    // A vote, cast by the cluster-safe script.
    const press = await sendAction(eventsUrl, SIGNING_SECRET, feedbackButtonsClick({ message: answer, button: 'positive', channel: CHANNEL }));
    expect(press.status).toBe(200);
    const counts = await eventually(async () => {
      const hash = await client.hgetall(`${PREFIX}:feedback:${TEAM}:${day}`);
      return hash.up === '1' ? hash : undefined;
    });
    expect(counts.up).toBe('1');
  });

  it('applies the per-person limit: a second question within the minute is refused privately, with no model call', async () => {
    const before = anthropic.messageRequests().length;
    const asked = await ask(`<@${BOT_USER}> And how do I scale it?`);
    expect(asked.status).toBe(200);
    const refusal = await slack.waitFor(() => slack.ephemerals.find((note) => note.user === 'U0ALICE' && /question in the last minute, which is the limit/.test(String(note.text))), 20_000);
    expect(refusal.channel).toBe(CHANNEL);
    expect(anthropic.messageRequests()).toHaveLength(before);
    expect(answersTo(asked.ts)).toHaveLength(0);
  });

  it('kept every key it wrote in the queue prefix’s slot', async () => {
    const bySlot = await keysBySlot();
    const all = [...bySlot.values()].flat();
    expect(all.length).toBeGreaterThan(5);
    expect(all.every((key) => key.startsWith(`${PREFIX}:`))).toBe(true);
    expect(bySlot.size).toBe(1);
  });
});
