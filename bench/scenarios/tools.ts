/**
 * N questions at once in channels, with Slack's published limits, where the model first looks the
 * answer up in AWS documentation: it calls `search_documentation` (and, with two rounds, then
 * `read_documentation`) on the fake AWS Knowledge MCP server, which takes a fixed time per call,
 * and then answers at the realistic pace. Measured from the fakes' records: how soon each step
 * shows above the answer once the model asked for the tool, and the bot's own time per round
 * (turn ended → next model request, less the MCP server's time). The bot only: the naive
 * baseline has no tools.
 */
import type { Responder, ToolUseReply } from '../../test/fakes/anthropic.js';
import { SERVICE_CONNECT_CONCEPTS_URL } from '../../test/fakes/mcp-aws-knowledge.js';
import { summarize, type Summary } from '../measure/stats.js';
import { countCalls, type CallCounts } from '../measure/timelines.js';
import { readToolTimelines, toolFigures, type ToolFigures } from '../measure/tool-rounds.js';
import { watchCompletion, waitForAnswers, type WaitOutcome } from '../harness/completion.js';
import { answerText, REALISTIC_PACE, type ModelPace } from '../harness/model-answers.js';
import { mentionRequest, seedQuestions, workspaceFor } from '../harness/questions.js';
import { startWorld, type SystemName } from '../harness/world.js';
import { sendRequests } from '../load/send.js';

/** The MCP tools as the AWS Knowledge server names them, and as the bot offers them to the model. */
const MCP_TOOLS = ['aws___search_documentation', 'aws___read_documentation'] as const;
const MODEL_TOOL_PREFIX = 'aws_docs__';

/** A realistic time for the AWS Knowledge server to answer one call. */
export const DEFAULT_MCP_LATENCY_MS = 150;

export interface ToolsOptions {
  system: Exclude<SystemName, 'naive'>;
  answers: number;
  /** Tool rounds before the answer: 1 searches; 2 searches, then reads a page. */
  rounds: 1 | 2;
  /** How long the MCP server takes per call (ms). */
  mcpLatencyMs?: number;
  /** Questions per channel (chat.postMessage is limited per channel). */
  perChannel?: number;
  pace?: ModelPace;
  /** Give up this long after the last model stream ended (ms). */
  graceMs?: number;
  hardCapMs?: number;
}

export interface ToolsResult {
  system: Exclude<SystemName, 'naive'>;
  answers: number;
  rounds: number;
  mcpLatencyMs: number;
  channels: number;
  /** WORKER_CONCURRENCY of the answering process. */
  concurrency: number;
  waited: WaitOutcome;
  figures: ToolFigures;
  /** The bot's own `durationMs` of each call, from its `tool call` log lines: the MCP server's time plus the client's round trip. */
  toolCallLogged: Summary;
  calls: CallCounts;
  durationMs: number;
}

export async function runTools(options: ToolsOptions): Promise<ToolsResult> {
  const perChannel = options.perChannel ?? 3;
  const pace = options.pace ?? REALISTIC_PACE;
  const mcpLatencyMs = options.mcpLatencyMs ?? DEFAULT_MCP_LATENCY_MS;
  const concurrency = Math.max(16, options.answers);
  const workspace = workspaceFor(options.answers, perChannel);
  const world = await startWorld({
    system: options.system,
    slackLimits: 'published',
    workspace,
    pace,
    responder: toolRoundsResponder(pace, options.rounds),
    docs: true,
    env: { WORKER_CONCURRENCY: String(concurrency) },
  });
  try {
    const docs = world.docs!;
    docs.setCallDelay(mcpLatencyMs);
    const questions = seedQuestions(world.slack, 'T', options.answers, perChannel);
    const watch = watchCompletion(world.slack);
    const since = Date.now();
    const sent = await sendRequests(world.eventsUrl, questions.map(mentionRequest), 0).done;
    const sentAt = new Map(sent.map((result) => [result.id, result.sentAt]));
    const waited = await waitForAnswers(watch, world.anthropic, {
      // Every model request of an answer counts towards `expected` in waitForAnswers: the grace
      // starts only once no stream is open, and a tool round opens the next one within a second.
      expected: options.answers,
      graceAfterStreams: () => options.graceMs ?? 15_000,
      hardCapMs: options.hardCapMs ?? 90_000,
    });
    watch.stop();
    const durationMs = Date.now() - since;
    const timelines = readToolTimelines(
      questions.map((question) => ({ ...question, sentAt: sentAt.get(question.id) ?? since })),
      options.rounds,
      (round) => MCP_TOOLS[round] ?? MCP_TOOLS[0],
      { slack: world.slack, anthropic: world.anthropic, docs },
    );
    const logged = world
      .logs()
      .filter((log) => log.msg === 'tool call' && typeof log.durationMs === 'number')
      .map((log) => log.durationMs as number);
    return {
      system: options.system,
      answers: options.answers,
      rounds: options.rounds,
      mcpLatencyMs,
      channels: workspace.channels.length,
      concurrency,
      waited,
      figures: toolFigures(timelines, options.rounds),
      toolCallLogged: summarize(logged),
      calls: countCalls(world.slack, since),
      durationMs,
    };
  } finally {
    await world.stop();
  }
}

/**
 * The model's side of a looked-up answer for question `[T00001]`: for each round not yet done (the
 * conversation holds fewer tool results), a turn that calls the round's tool, with the question's
 * id in its input so the MCP server's record says whose call it was; then the paced answer that
 * ends with the answer's end marker. Each turn thinks first, as Claude Haiku 5.5 does.
 */
export function toolRoundsResponder(pace: ModelPace, rounds: number): Responder {
  return (body) => {
    const id = /\[([A-Z]\d{5})\]/.exec(JSON.stringify(body.messages ?? []))?.[1] ?? 'X00000';
    const done = toolRoundsDone(body.messages);
    const timing = {
      ttftMs: pace.ttftMs,
      ...(pace.thinkingMs ? { thinkingMs: pace.thinkingMs } : {}),
      ...(pace.tokensPerSecond !== undefined ? { tokensPerSecond: pace.tokensPerSecond } : { tokenDelayMs: 0 }),
    };
    if (done < rounds) {
      const reply: ToolUseReply = { toolUse: toolCall(id, done), ...timing };
      return reply;
    }
    return { text: answerText(id, pace.answerChars), chunkSize: pace.chunkSize, ...timing };
  };
}

/** The user turns that carry tool results: one per round the bot has completed. */
function toolRoundsDone(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  return messages.filter((message: { role?: unknown; content?: unknown }) => message.role === 'user' && Array.isArray(message.content) && message.content.some((block: { type?: unknown }) => block.type === 'tool_result')).length;
}

function toolCall(id: string, round: number): ToolUseReply['toolUse'] {
  if (round === 0) return { name: MODEL_TOOL_PREFIX + MCP_TOOLS[0], input: { search_phrase: `ECS Service Connect Fargate ${id}`, limit: 5 } };
  // The fragment names the question; the server reads the page without it.
  return { name: MODEL_TOOL_PREFIX + MCP_TOOLS[1], input: { requests: [{ url: `${SERVICE_CONNECT_CONCEPTS_URL}#${id}`, max_length: 5000 }] } };
}
