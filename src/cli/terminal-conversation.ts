import { produceAnswer, type AnswerOutcome, type ModelDeps } from '../answer/answer-question.js';
import { buildConversation, type ThreadMessage } from '../core/conversation.js';
import { TerminalAnswer } from './terminal-answer.js';

/**
 * A conversation in a terminal, kept the way a Slack thread keeps it: a list of messages from
 * which the workers' own buildConversation makes the model's turns, with the same token budget,
 * shortening and system prompt, through the same model loop (produceAnswer) and its retries.
 */
const PERSON = 'UTERMINAL';
const BOT = 'UASKBOT';
/** Stands in for Slack's team and user in the per-user id sent to Anthropic. */
const ASKER = { teamId: 'terminal', userId: 'cli' };

export interface TerminalTurn {
  outcome: AnswerOutcome;
  startedAt: number;
}

export class TerminalConversation {
  private messages: ThreadMessage[] = [];
  private clock = 0;

  constructor(
    private readonly deps: ModelDeps,
    private readonly out: NodeJS.WritableStream,
    private readonly status: NodeJS.WritableStream,
  ) {}

  async ask(question: string, signal?: AbortSignal): Promise<TerminalTurn> {
    const questionTs = this.nextTs();
    this.messages.push({ ts: questionTs, user: PERSON, text: question });
    const surface = new TerminalAnswer(this.out, this.status);
    const startedAt = Date.now();
    const outcome = await produceAnswer(
      surface,
      (tokenBudget) =>
        buildConversation(this.messages, {
          botUserId: BOT,
          questionTs,
          tokenBudget,
          maxMessageChars: this.deps.config.model.maxQuestionChars,
        }),
      ASKER,
      this.deps,
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
