import type { AnswerSurface, AnswerView, FinalAnswer } from '../model/answer.js';

/**
 * An answer written to a terminal instead of a Slack message: the model's Markdown goes to `out`
 * as it streams (only what is new each time, since a terminal cannot edit what it printed), and
 * status lines (thinking, a retry, each tool step) go to `status`, so `out` can be piped to a file.
 */
export class TerminalAnswer implements AnswerSurface {
  firstVisibleAt: number | undefined;
  /** The final text, once finished (what the conversation remembers). */
  finalText: string | undefined;
  private printed = '';
  private lastStatus: string | undefined;
  private readonly stepsShown = new Map<string, string>();

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly status: NodeJS.WritableStream,
  ) {}

  show(view: AnswerView): void {
    for (const step of view.steps) {
      const line = `${STEP_MARKS[step.status]} ${step.title}`;
      if (this.stepsShown.get(step.id) === line) continue;
      this.stepsShown.set(step.id, line);
      this.status.write(`${line}\n`);
    }
    if (view.status && view.status !== this.lastStatus) {
      // A new attempt starts over: what the failed one printed stays, and a line says why.
      if (this.printed.length > 0 && !view.text.startsWith(this.printed)) this.out.write('\n');
      this.status.write(`${plainStatus(view.status)}\n`);
      if (!view.text.startsWith(this.printed)) this.printed = '';
    }
    this.lastStatus = view.status;
    this.printUpTo(view.text);
    if (view.text.length > 0) this.firstVisibleAt ??= Date.now();
  }

  async finish(answer: FinalAnswer): Promise<void> {
    const isAnswer = answer.state !== 'failed' && answer.state !== 'notice' && answer.state !== 'refused';
    if (isAnswer) this.printUpTo(answer.markdown);
    else {
      if (this.printed.length > 0) this.out.write('\n');
      this.out.write(plainStatus(answer.markdown));
    }
    this.out.write('\n');
    if (isAnswer && answer.sources.length > 0) this.status.write(`\nSources:\n${answer.sources.map((source) => `  ${source.title} — ${source.url}`).join('\n')}\n`);
    if (answer.footnote) this.status.write(`\n${plainStatus(answer.footnote)}\n`);
    this.finalText = isAnswer ? answer.markdown : undefined;
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

const STEP_MARKS = { in_progress: '…', complete: '✓', error: '!' } as const;

/** Status lines are written for Slack (`:hourglass_flowing_sand: _…_`); a terminal shows them plainly. */
function plainStatus(text: string): string {
  return text
    .replace(/:[a-z_]+:\s*/g, '… ')
    .replace(/(^|\s)_([^_\n]+)_(?=\s|$|[.,;:!?])/g, '$1$2')
    .trim();
}
