import { sourcesText, stepsText } from '../core/answer-blocks.js';
import { toSlackMrkdwn } from '../core/slack-format.js';
import type { AnswerSurface, FinalAnswer } from '../model/answer.js';

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

  async finish(answer: FinalAnswer): Promise<void> {
    const isModelText = answer.state !== 'failed' && answer.state !== 'notice' && answer.state !== 'refused';
    const body = isModelText ? toSlackMrkdwn(answer.markdown) : answer.markdown;
    const notes = [...(isModelText && answer.sources.length > 0 ? [sourcesText(answer.sources)] : []), ...(answer.footnote ? [answer.footnote] : [])];
    const steps = answer.steps.length > 0 ? [stepsText(answer.steps)] : [];
    await postToResponseUrl(this.url, { text: [this.preface, ...steps, body, ...notes].join('\n\n'), replace_original: true });
    this.firstVisibleAt = Date.now();
  }
}
