import { buildConversation, type ThreadMessage } from '../core/conversation.js';
import { produceAnswer, type AnswerOutcome } from '../model/answer.js';
import type { ModelLoop } from '../model/model-loop.js';
import { systemPrompt } from '../model/system-prompt.js';
import type { Tool } from '../model/tools.js';
import { TerminalAnswer } from './terminal-answer.js';

/**
 * A conversation in a terminal, kept the way a Slack thread keeps it: a list of messages from
 * which the workers' own buildConversation makes the model's turns, with the same token budget,
 * shortening and system prompt, through the same model loop and its retries.
 */
const PERSON = 'UTERMINAL';
const BOT = 'UASKBOT';
/** Stands in for Slack's team, channel and user in the per-person id sent to Anthropic. */
const ASKER = { teamId: 'terminal', channel: 'terminal', userId: 'cli' };

export interface TerminalSettings {
  systemPromptOverride: string | undefined;
  historyTokenBudget: number;
  maxQuestionChars: number;
  maxTokens: number;
  tokenScale: number;
}

export interface TerminalTurn {
  outcome: AnswerOutcome;
  startedAt: number;
}

export class TerminalConversation {
  private messages: ThreadMessage[] = [];
  private clock = 0;

  constructor(
    private readonly loop: ModelLoop,
    private readonly settings: TerminalSettings,
    private readonly tools: readonly Tool[],
    private readonly out: NodeJS.WritableStream,
    private readonly status: NodeJS.WritableStream,
  ) {}

  async ask(question: string, signal?: AbortSignal): Promise<TerminalTurn> {
    const questionTs = this.nextTs();
    this.messages.push({ ts: questionTs, user: PERSON, text: question });
    const surface = new TerminalAnswer(this.out, this.status);
    const startedAt = Date.now();
    const turnsWithin = (tokenBudget: number) =>
      buildConversation(this.messages, { botUserId: BOT, questionTs, tokenBudget, maxMessageChars: this.settings.maxQuestionChars, tokenScale: this.settings.tokenScale }).turns;
    const outcome = await produceAnswer(
      surface,
      this.loop,
      {
        system: systemPrompt(this.settings.systemPromptOverride, { today: new Date().toISOString().slice(0, 10), docs: this.tools.length > 0 ? 'available' : 'off', account: 'off', teamServers: [] }),
        turns: turnsWithin(this.settings.historyTokenBudget),
        shorterTurns: () => turnsWithin(Math.floor(this.settings.historyTokenBudget / 4)),
        tools: this.tools,
        asker: ASKER,
        endUserId: `${ASKER.teamId}-${ASKER.userId}`,
      },
      { maxTokens: this.settings.maxTokens },
      signal,
    );
    // As in a thread, an answer becomes history; a failure notice does not.
    if (surface.finalText !== undefined && outcome.status !== 'failed') {
      this.messages.push({ ts: this.nextTs(), user: BOT, text: surface.finalText, kind: 'answer' });
    }
    return { outcome, startedAt };
  }

  reset(): void {
    this.messages = [];
  }

  /** Slack-style timestamps, increasing, so that the thread's order rules apply unchanged. */
  private nextTs(): string {
    this.clock += 1;
    return `${1_700_000_000 + this.clock}.000100`;
  }
}
