import type { AnswerSurface } from './answer-question.js';
import type { FinishOptions } from './slack-publisher.js';
import { toSlackMrkdwn } from '../core/slack-format.js';

/**
 * A slash command's response_url, for places the bot cannot post in. Slack accepts only five
 * uses within 30 minutes, so nothing streams here: one "thinking" notice, then the final answer.
 */
export async function postToResponseUrl(url: string, body: { text: string; response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean }): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ response_type: 'ephemeral', ...body }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
}

export class ResponseUrlAnswer implements AnswerSurface {
  firstVisibleAt: number | undefined;

  constructor(
    private readonly url: string,
    private readonly preface: string,
  ) {}

  show(): void {}

  restart(): void {}

  async finish(markdown: string, options: FinishOptions): Promise<void> {
    const body = options.state === 'failed' || options.state === 'notice' ? markdown : toSlackMrkdwn(markdown);
    const footnote = options.footnote ? `\n\n${options.footnote}` : '';
    await postToResponseUrl(this.url, { text: `${this.preface}\n\n${body}${footnote}`, replace_original: true });
    this.firstVisibleAt = Date.now();
  }
}
