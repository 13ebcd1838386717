/**
 * What happened in each tool round of each question, read from the fakes' own records: when the
 * fake model ended the turn that asked for a tool (FakeAnthropic's endedAt), when the fake MCP
 * server received and answered the call (FakeMcpServer's timingOf), when the next
 * model request, the one carrying the tool_result, arrived (its `at`), and when Slack first showed
 * the round's step above the answer (FakeSlack's message history). Nothing here trusts the bot's
 * logs. The figures are pure arithmetic on those times.
 */
import type { FakeAnthropic, RecordedRequest } from '../../test/fakes/anthropic.js';
import type { FakeMcpServer, RecordedCall } from '../../test/fakes/mcp.js';
import type { FakeSlack, MessageVersion, SlackMessage } from '../../test/fakes/slack.js';
import { BOT_USER_ID } from '../harness/questions.js';
import { endMarker, startMarker } from '../harness/model-answers.js';
import { summarize, type Summary } from './stats.js';
import type { AskedQuestion } from './timelines.js';

/** The marks the bot puts before each step in the context line above an answer (in progress, done, failed). */
const STEP_MARK = /:(?:hourglass_flowing_sand|white_check_mark|warning):/g;
const QUESTION_ID = /\[([A-Z]\d{5})\]/;

export interface ToolRoundTimeline {
  /** 0 for the first round. */
  round: number;
  /** The fake model ended the turn that asked for the tool (its response was complete). */
  toolTurnEndedAt?: number;
  /** The MCP server received the round's first call and answered its last. */
  mcpReceivedAt?: number;
  mcpAnsweredAt?: number;
  /** The next model request, carrying the tool_result, arrived. */
  nextRequestAt?: number;
  /** Slack first showed this round's step (the first version of the answer with this many steps). */
  stepVisibleAt?: number;
  /** The Web API method that showed it (chat.postMessage, chat.update). */
  stepShownBy?: string;
}

export interface ToolTimeline {
  id: string;
  sentAt: number;
  /** /v1/messages requests made for this question. */
  modelCalls: number;
  /** The bot's answer messages in the question's thread (1 unless lost or duplicated). */
  answerMessages: number;
  rounds: ToolRoundTimeline[];
  /** The answer's first text: when the fake model sent it (after the rounds), and when Slack first showed it. */
  firstTokenAt?: number;
  firstTextVisibleAt?: number;
  completeAt?: number;
}

/**
 * Which question a model request or a tool call belongs to: the question's `[Q00001]` is in the
 * conversation, and the scenario puts it in every tool input (the search phrase, the page's URL
 * fragment).
 */
export function questionOfRequest(request: RecordedRequest): string | undefined {
  const messages = request.body?.messages;
  return Array.isArray(messages) ? QUESTION_ID.exec(JSON.stringify(messages))?.[1] : undefined;
}

export function questionOfCall(call: RecordedCall): string | undefined {
  return /([A-Z]\d{5})/.exec(JSON.stringify(call.arguments))?.[1];
}

/**
 * One timeline per question, `rounds` tool rounds each. Calls are matched to rounds by tool, in
 * the order the scenario scripts them (`toolOfRound`).
 */
export function readToolTimelines(
  asked: readonly AskedQuestion[],
  rounds: number,
  toolOfRound: (round: number) => string,
  fakes: { slack: FakeSlack; anthropic: FakeAnthropic; docs: FakeMcpServer },
): ToolTimeline[] {
  const requestsById = groupBy(fakes.anthropic.messageRequests(), questionOfRequest);
  const callsById = groupBy(fakes.docs.calls, questionOfCall);
  return asked.map((question) => {
    const requests = (requestsById.get(question.id) ?? []).filter((request) => request.status === 200).sort((a, b) => a.at - b.at);
    const calls = callsById.get(question.id) ?? [];
    const answers = fakes.slack.messagesIn(question.channel, question.ts).filter((message) => isAnswer(message, question.ts));
    const versions = answers[0] ? fakes.slack.history(question.channel, answers[0].ts) : [];
    const timeline: ToolTimeline = {
      id: question.id,
      sentAt: question.sentAt,
      modelCalls: (requestsById.get(question.id) ?? []).length,
      answerMessages: answers.length,
      rounds: [],
    };
    const answer = requests[rounds];
    if (answer?.firstTokenAt !== undefined) timeline.firstTokenAt = answer.firstTokenAt;
    const firstText = versions.find((version) => version.text.includes(startMarker(question.id)));
    if (firstText) timeline.firstTextVisibleAt = firstText.at;
    const complete = versions.find((version) => version.text.includes(endMarker(question.id)));
    if (complete) timeline.completeAt = complete.at;
    for (let round = 0; round < rounds; round += 1) {
      const entry: ToolRoundTimeline = { round };
      const toolTurn = requests[round];
      if (toolTurn?.kind === 'tool_use' && toolTurn.endedAt !== undefined) entry.toolTurnEndedAt = toolTurn.endedAt;
      const next = requests[round + 1];
      if (next) entry.nextRequestAt = next.at;
      // The calls of one round run together: the server's time is from the first received to the last answered.
      const timings = calls.filter((call) => call.tool === toolOfRound(round)).map((call) => fakes.docs.timingOf(call));
      const answered = timings.flatMap((timing) => (timing?.answeredAt !== undefined ? [timing] : []));
      if (timings.length > 0 && answered.length === timings.length) {
        entry.mcpReceivedAt = Math.min(...answered.map((timing) => timing.receivedAt));
        entry.mcpAnsweredAt = Math.max(...answered.map((timing) => timing.answeredAt!));
      }
      const shown = versions.find((version) => stepsIn(version) > round);
      if (shown) {
        entry.stepVisibleAt = shown.at;
        entry.stepShownBy = shown.method;
      }
      timeline.rounds.push(entry);
    }
    return timeline;
  });
}

/** How many steps a version of an answer shows in its context line. */
function stepsIn(version: MessageVersion): number {
  const blocks = (version.blocks ?? []) as Array<{ type?: string; elements?: Array<{ text?: unknown }> }>;
  let steps = 0;
  for (const block of blocks) {
    if (block.type !== 'context') continue;
    for (const element of block.elements ?? []) if (typeof element.text === 'string') steps += element.text.match(STEP_MARK)?.length ?? 0;
  }
  return steps;
}

/** The bot's answer in a thread: its own message, not the question nor a notice. */
function isAnswer(message: SlackMessage, questionTs: string): boolean {
  if (message.ts === questionTs || message.user !== BOT_USER_ID) return false;
  const kind = message.metadata?.event_payload?.kind;
  return kind === undefined || kind === 'answer';
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  return groups;
}

export interface ToolDelivery {
  asked: number;
  complete: number;
  /** No answer message at all. */
  lost: number;
  /** More than one answer message, or more model requests than the rounds and the answer. */
  duplicated: number;
}

export interface ToolFigures {
  delivery: ToolDelivery;
  /** Rounds with every time measured (turn end, MCP call, next request). */
  roundsMeasured: number;
  /** The tool_use turn ended → the first step visible in Slack, first round of each answer (ms). */
  firstVisibleStep: Summary;
  /** The same for later rounds (the step added to the line). */
  laterVisibleStep: Summary;
  /** Turn ended → next model request, minus the MCP server's time on the call (ms): the bot's own. */
  overheadPerRound: Summary;
  /** Of that overhead: turn ended → the call reached the MCP server. */
  turnToCall: Summary;
  /** And: the MCP server answered → the next model request arrived. */
  callToNextRequest: Summary;
  /** The MCP server's time on the round's calls (ms). */
  mcpCall: Summary;
  /** After the rounds, the answer's first text visible in Slack minus the time the model sent it (ms). */
  firstTextVisible: Summary;
  /** Request sent → complete answer visible (ms). */
  endToEnd: Summary;
  /** Which method first showed the first step, per answer. */
  firstStepShownBy: Record<string, number>;
}

export function toolFigures(timelines: readonly ToolTimeline[], rounds: number): ToolFigures {
  const all = timelines.flatMap((timeline) => timeline.rounds);
  const measured = all.filter((round) => round.toolTurnEndedAt !== undefined && round.mcpReceivedAt !== undefined && round.mcpAnsweredAt !== undefined && round.nextRequestAt !== undefined);
  const firstRounds = all.filter((round) => round.round === 0);
  const shownBy: Record<string, number> = {};
  for (const round of firstRounds) if (round.stepShownBy) shownBy[round.stepShownBy] = (shownBy[round.stepShownBy] ?? 0) + 1;
  return {
    delivery: {
      asked: timelines.length,
      complete: timelines.filter((t) => t.completeAt !== undefined).length,
      lost: timelines.filter((t) => t.answerMessages === 0).length,
      duplicated: timelines.filter((t) => t.answerMessages > 1 || t.modelCalls > rounds + 1).length,
    },
    roundsMeasured: measured.length,
    firstVisibleStep: summarize(defined(firstRounds.map((r) => diff(r.stepVisibleAt, r.toolTurnEndedAt)))),
    laterVisibleStep: summarize(defined(all.filter((r) => r.round > 0).map((r) => diff(r.stepVisibleAt, r.toolTurnEndedAt)))),
    overheadPerRound: summarize(measured.map((r) => r.nextRequestAt! - r.toolTurnEndedAt! - (r.mcpAnsweredAt! - r.mcpReceivedAt!))),
    turnToCall: summarize(measured.map((r) => r.mcpReceivedAt! - r.toolTurnEndedAt!)),
    callToNextRequest: summarize(measured.map((r) => r.nextRequestAt! - r.mcpAnsweredAt!)),
    mcpCall: summarize(measured.map((r) => r.mcpAnsweredAt! - r.mcpReceivedAt!)),
    firstTextVisible: summarize(defined(timelines.map((t) => diff(t.firstTextVisibleAt, t.firstTokenAt)))),
    endToEnd: summarize(defined(timelines.map((t) => diff(t.completeAt, t.sentAt)))),
    firstStepShownBy: shownBy,
  };
}

function defined(values: Array<number | undefined>): number[] {
  return values.filter((value): value is number => value !== undefined && Number.isFinite(value));
}

function diff(later: number | undefined, earlier: number | undefined): number | undefined {
  return later !== undefined && earlier !== undefined ? later - earlier : undefined;
}
