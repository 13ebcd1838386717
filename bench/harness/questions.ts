/**
 * The questions a scenario asks: seeded in the fake workspace as users' messages, spread over
 * channels as in a real workspace (a handful per channel, one asker each), and turned into the
 * signed requests Slack would send — an `app_mention` event or an `/aws` command.
 */
import type { ChannelSpec, FakeSlack, SlackUser } from '../../test/fakes/slack.js';
import { appMention, commandFields, eventCallback } from '../../test/support/slack-requests.js';

export const BOT_USER_ID = 'UBOT';

export interface Question {
  id: string;
  channel: string;
  user: string;
  /** ts of the user's message (for a command: undefined until the bot posts it). */
  ts: string;
  text: string;
}

/** A request as the sender process signs and posts it. */
export interface SlackRequest {
  kind: 'event' | 'command';
  /** The question it carries. */
  id: string;
  body: string;
  contentType: string;
}

export const questionId = (prefix: string, n: number): string => `${prefix}${String(n).padStart(5, '0')}`;
export const channelId = (n: number): string => `C0BENCH${String(n).padStart(4, '0')}`;
export const userId = (n: number): string => `U0ASK${String(n).padStart(5, '0')}`;

/** Channels and users for a scenario of `count` questions, `perChannel` to a channel. */
export function workspaceFor(count: number, perChannel: number): { channels: ChannelSpec[]; users: SlackUser[] } {
  const channelCount = Math.max(1, Math.ceil(count / perChannel));
  return {
    channels: Array.from({ length: channelCount }, (_, i) => ({ id: channelId(i + 1), name: `bench-${i + 1}`, type: 'channel' as const, isMember: true })),
    users: Array.from({ length: count }, (_, i) => ({ id: userId(i + 1), name: `asker${i + 1}`, real_name: `Asker ${i + 1}` })),
  };
}

const TOPICS = ['set up ECS with Fargate', 'rotate IAM access keys', 'cut my NAT gateway costs', 'give a Lambda access to S3', 'peer two VPCs'];

/**
 * Seeds `count` questions; question i goes to channel ⌊i / perChannel⌋ and is asked by user i.
 * Ids are `${prefix}00001`…, carried in the text so the fake model can tell questions apart.
 */
export function seedQuestions(slack: FakeSlack, prefix: string, count: number, perChannel: number): Question[] {
  return Array.from({ length: count }, (_, i) => {
    const id = questionId(prefix, i + 1);
    const channel = channelId(Math.floor(i / perChannel) + 1);
    const user = userId(i + 1);
    const text = `<@${BOT_USER_ID}> [${id}] How do I ${TOPICS[i % TOPICS.length]}?`;
    const posted = slack.addMessage(channel, { user, text });
    return { id, channel, user, ts: posted.ts, text };
  });
}

export function mentionRequest(question: Question): SlackRequest {
  const event = appMention({ channel: question.channel, user: question.user, text: question.text, ts: question.ts });
  return { kind: 'event', id: question.id, body: JSON.stringify(eventCallback(event)), contentType: 'application/json' };
}

/** `/aws <question>` from the same person in the same channel (the bot then posts the question itself). */
export function commandRequest(question: Question, responseUrl: string): SlackRequest {
  const fields = commandFields({
    channel_id: question.channel,
    channel_name: question.channel.toLowerCase(),
    user_id: question.user,
    user_name: question.user.toLowerCase(),
    text: question.text.replace(`<@${BOT_USER_ID}> `, ''),
    response_url: responseUrl,
    trigger_id: `${Date.now()}.${question.id}`,
  });
  return { kind: 'command', id: question.id, body: new URLSearchParams(Object.entries(fields)).toString(), contentType: 'application/x-www-form-urlencoded' };
}
