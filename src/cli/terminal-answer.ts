import type { AnswerSurface } from '../answer/answer-question.js';
import type { FinishOptions } from '../answer/slack-publisher.js';

/**
 * An answer written to a terminal instead of a Slack message: the model's Markdown goes to `out`
 * as it streams (only what is new each time, since a terminal cannot edit what it printed), and
 * status lines (a retry, a shortened history) go to `status`, so `out` can be piped to a file.
 */
export class TerminalAnswer implements AnswerSurface {
  firstVisibleAt: number | undefined;
  /** The final text, once finished (what the conversation remembers). */
  finalText: string | undefined;
  private printed = '';

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly status: NodeJS.WritableStream,
  ) {}

  show(markdownSoFar: string): void {
    this.printUpTo(markdownSoFar);
    if (markdownSoFar.length > 0) this.firstVisibleAt ??= Date.now();
  }

  /** A new attempt starts over: what the failed one printed stays, and a line says why. */
  restart(statusText: string): void {
    if (this.printed.length > 0) this.out.write('\n');
    this.status.write(`${plainStatus(statusText)}\n`);
    this.printed = '';
  }

  async finish(markdown: string, options: FinishOptions): Promise<void> {
    const isAnswer = options.state !== 'failed' && options.state !== 'notice';
    if (isAnswer) this.printUpTo(markdown);
    else {
      if (this.printed.length > 0) this.out.write('\n');
      this.out.write(plainStatus(markdown));
    }
    this.out.write('\n');
    if (options.footnote) this.status.write(`\n${plainStatus(options.footnote)}\n`);
    this.finalText = isAnswer ? markdown : undefined;
    this.firstVisibleAt ??= Date.now();
  }

  private printUpTo(text: string): void {
    if (text.startsWith(this.printed)) {
      this.out.write(text.slice(this.printed.length));
    } else {
      // The text was replaced rather than extended: start it again on a new line.
      this.out.write(`\n${text}`);
    }
    this.printed = text;
  }
}

/** Status lines are written for Slack (`:hourglass_flowing_sand: _…_`); a terminal shows them plainly. */
export function plainStatus(text: string): string {
  return text
    .replace(/:hourglass_flowing_sand:\s*/g, '… ')
    .replace(/:warning:\s*/g, '! ')
    .replace(/(^|\s)_([^_\n]+)_(?=\s|$|[.,;:!?])/g, '$1$2')
    .trim();
}
