/**
 * Reads what happened to each question from the fakes' own records: when the fake model sent the
 * first and last token (FakeAnthropic's tokenTimes), and when Slack showed the first model text and
 * the complete answer (FakeSlack's message history and calls). Nothing here trusts the bot's logs.
 */
import { lastUserText, type FakeAnthropic } from '../../test/fakes/anthropic.js';
import type { FakeSlack, SlackCall, SlackMessage } from '../../test/fakes/slack.js';
import { BOT_USER_ID, type Question } from '../harness/questions.js';
import { endMarker, questionIdIn, startMarker } from '../harness/model-answers.js';

export interface AnswerTimeline {
  id: string;
  /** When the question's request was sent to the bot. */
  sentAt: number;
  /** /v1/messages requests made for this question. */
  modelCalls: number;
  modelCalledAt?: number;
  firstTokenAt?: number;
  lastTokenAt?: number;
  /** The bot's answer messages in the question's thread (1 unless lost or duplicated). */
  answerMessages: number;
  /** The first bot message in the question's thread: the asker's sign that the question was received. */
  receiptAt?: number;
  /** First model text shown in Slack: when the call that showed it arrived, and when it was applied. */
  firstVisibleCallAt?: number;
  firstVisibleAt?: number;
  /** The complete answer shown in Slack. */
  completeCallAt?: number;
  completeAt?: number;
  /** The first write to the answer message that arrived after the last token. */
  firstWriteAfterLastTokenAt?: number;
  /** 429s Slack answered for writes to this answer after its last token. */
  rateLimitedAfterLastToken: number;
}

/** Where each question's thread is: commands' questions are posted by the bot, found by their text. */
export interface AskedQuestion extends Question {
  sentAt: number;
}

export function readTimelines(asked: readonly AskedQuestion[], slack: FakeSlack, anthropic: FakeAnthropic): AnswerTimeline[] {
  const requestsById = new Map<string, ReturnType<FakeAnthropic['messageRequests']>>();
  for (const request of anthropic.messageRequests()) {
    const id = request.body ? questionIdIn(lastUserText(request.body)) : undefined;
    if (!id) continue;
    const list = requestsById.get(id) ?? [];
    list.push(request);
    requestsById.set(id, list);
  }
  const writesByMessage = new Map<string, SlackCall[]>();
  for (const call of slack.calls) {
    if (call.method !== 'chat.update' && !call.method.endsWith('Stream')) continue;
    const key = `${String(call.args.channel)}|${String(call.args.ts)}`;
    const list = writesByMessage.get(key) ?? [];
    list.push(call);
    writesByMessage.set(key, list);
  }

  return asked.map((question) => {
    const requests = requestsById.get(question.id) ?? [];
    const streamed = requests.find((request) => request.firstTokenAt !== undefined);
    const answers = slack.messagesIn(question.channel, question.ts).filter((message) => isAnswer(message, question.ts));
    const timeline: AnswerTimeline = {
      id: question.id,
      sentAt: question.sentAt,
      modelCalls: requests.length,
      answerMessages: answers.length,
      rateLimitedAfterLastToken: 0,
      ...(requests[0] ? { modelCalledAt: requests[0].at } : {}),
      ...(streamed?.firstTokenAt !== undefined ? { firstTokenAt: streamed.firstTokenAt } : {}),
      ...(streamed?.lastTokenAt !== undefined ? { lastTokenAt: streamed.lastTokenAt } : {}),
    };
    const botPosts = slack.messagesIn(question.channel, question.ts).filter((message) => message.ts !== question.ts && message.user === BOT_USER_ID);
    const firstPost = botPosts.map((message) => slack.history(question.channel, message.ts)[0]?.at).filter((at): at is number => at !== undefined);
    if (firstPost.length > 0) timeline.receiptAt = Math.min(...firstPost);
    const answer = answers[0];
    if (!answer) return timeline;
    const versions = slack.history(question.channel, answer.ts);
    const writes = writesByMessage.get(`${question.channel}|${answer.ts}`) ?? [];
    const applied = writes.filter((call) => call.ok);
    // versions[0] is the post; each later version is one applied write, in order.
    const callFor = (versionIndex: number): number | undefined => (versionIndex > 0 ? applied[versionIndex - 1]?.at : undefined);
    const first = versions.findIndex((version) => version.text.includes(startMarker(question.id)));
    const complete = versions.findIndex((version) => version.text.includes(endMarker(question.id)));
    if (first >= 0) {
      timeline.firstVisibleAt = versions[first]!.at;
      const callAt = callFor(first);
      if (callAt !== undefined) timeline.firstVisibleCallAt = callAt;
    }
    if (complete >= 0) {
      timeline.completeAt = versions[complete]!.at;
      const callAt = callFor(complete);
      if (callAt !== undefined) timeline.completeCallAt = callAt;
    }
    if (timeline.lastTokenAt !== undefined) {
      const lastTokenAt = timeline.lastTokenAt;
      const until = timeline.completeCallAt ?? Number.POSITIVE_INFINITY;
      const after = writes.filter((call) => call.at >= lastTokenAt && call.at <= until);
      if (after[0]) timeline.firstWriteAfterLastTokenAt = after[0].at;
      timeline.rateLimitedAfterLastToken = after.filter((call) => call.status === 429).length;
    }
    return timeline;
  });
}

/** The bot's answer in a thread: its own message, not the question it posted nor a notice. */
function isAnswer(message: SlackMessage, questionTs: string): boolean {
  if (message.ts === questionTs || message.user !== BOT_USER_ID) return false;
  const kind = message.metadata?.event_payload?.kind;
  return kind === undefined || kind === 'answer';
}

/** The most model streams open at the same moment. */
export function peakConcurrentStreams(anthropic: FakeAnthropic): number {
  const edges: Array<[number, number]> = [];
  for (const request of anthropic.messageRequests()) {
    edges.push([request.at, 1]);
    edges.push([request.endedAt ?? Number.POSITIVE_INFINITY, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** Streams open right now (started, not ended). */
export function openStreams(anthropic: FakeAnthropic): number {
  return anthropic.messageRequests().filter((request) => request.endedAt === undefined).length;
}

export interface CallCounts {
  byMethod: Record<string, number>;
  rateLimitedByMethod: Record<string, number>;
  total: number;
  rateLimited: number;
}

/** Slack Web API calls the system made since `since` (start-up calls such as auth.test excluded). */
export function countCalls(slack: FakeSlack, since: number): CallCounts {
  const counts: CallCounts = { byMethod: {}, rateLimitedByMethod: {}, total: 0, rateLimited: 0 };
  for (const call of slack.calls) {
    if (call.at < since || call.method === 'auth.test') continue;
    counts.byMethod[call.method] = (counts.byMethod[call.method] ?? 0) + 1;
    counts.total += 1;
    if (call.status === 429) {
      counts.rateLimitedByMethod[call.method] = (counts.rateLimitedByMethod[call.method] ?? 0) + 1;
      counts.rateLimited += 1;
    }
  }
  return counts;
}
