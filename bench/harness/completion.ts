/**
 * Watches the fake Slack for complete answers (a write whose text carries the answer's end marker),
 * so a scenario knows when to stop waiting without re-reading every message's history.
 */
import type { FakeAnthropic } from '../../test/fakes/anthropic.js';
import type { FakeSlack } from '../../test/fakes/slack.js';
import { openStreams } from '../measure/timelines.js';

const END_MARKER = /End of answer ([A-Z]\d{5})\./g;

export interface CompletionWatch {
  /** Question id → when the write that completed its answer arrived. */
  completed: Map<string, number>;
  /** Stops watching. */
  stop(): void;
}

export function watchCompletion(slack: FakeSlack): CompletionWatch {
  const completed = new Map<string, number>();
  const stop = slack.onCall((call) => {
    if (!call.ok) return;
    for (const match of JSON.stringify(call.args).matchAll(END_MARKER)) if (!completed.has(match[1]!)) completed.set(match[1]!, call.at);
  });
  return { completed, stop };
}

export interface WaitOptions {
  expected: number;
  /** After every model stream has ended, how long to keep waiting for the rest (ms). */
  graceAfterStreams: () => number;
  /** Never wait longer than this in all (ms). */
  hardCapMs: number;
}

export type WaitOutcome = 'all-complete' | 'grace-expired' | 'hard-cap';

/** Resolves once `expected` answers are complete, or a deadline passed. Bounded by design. */
export async function waitForAnswers(watch: CompletionWatch, anthropic: FakeAnthropic, options: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  let streamsEndedAt: number | undefined;
  for (;;) {
    if (watch.completed.size >= options.expected) return 'all-complete';
    const now = Date.now();
    if (now - started > options.hardCapMs) return 'hard-cap';
    const allStreamed = anthropic.messageRequests().length >= options.expected && openStreams(anthropic) === 0;
    if (allStreamed) streamsEndedAt ??= now;
    else streamsEndedAt = undefined;
    if (streamsEndedAt !== undefined && now - streamsEndedAt > options.graceAfterStreams()) return 'grace-expired';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
