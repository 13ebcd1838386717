import { describe, expect, it } from 'vitest';
import { answerQuestion, type QuestionDeps } from '../../src/answer/answer-question.js';
import type { QuestionJob } from '../../src/core/jobs.js';
import { pino } from 'pino';

describe('answerQuestion on a job whose answer was already delivered', () => {
  it('neither asks the model again nor writes to Slack', async () => {
    const data: QuestionJob = {
      kind: 'question',
      source: 'mention',
      teamId: 'T1',
      channel: 'C1',
      threadTs: '1.1',
      messageTs: '1.1',
      userId: 'U1',
      text: 'What is S3?',
      answerTs: '1.2',
      deliveredAt: 1234,
      receivedAt: 1000,
    };
    // Only a logger: any use of Slack, Redis or the model would throw on the missing dependency.
    const deps = { logger: pino({ level: 'silent' }) } as unknown as QuestionDeps;
    const outcome = await answerQuestion({ id: 'q-T1-C1-1.1', data, startedBefore: true, update: () => Promise.reject(new Error('updated')) }, deps);
    expect(outcome).toBeUndefined();
  });
});
