import type { AnswerDeps, AnswerOutcome } from '../answer/answer-question.js';
import type { QuestionJob } from '../queue/jobs.js';

/**
 * The worker's gate around answering a question: the usage limits are checked before anything
 * is posted or any model is called, and the answer's usage is recorded after it.
 *
 * Why here and not in the Slack listener: this is where a job turns into a model call, and every
 * way of asking (mentions, DMs, thread replies, /aws, the assistant panel, Continue) ends up
 * here; listeners must acknowledge within 3 seconds and only enqueue. The rate is counted by when
 * a question was asked, so a backlog is judged as it was asked. A job run again after a crash (it
 * already has its answer message) was admitted the first time and is not checked again.
 */
export async function answerWithinLimits(question: QuestionJob, jobId: string, deps: AnswerDeps, answer: () => Promise<AnswerOutcome>): Promise<AnswerOutcome> {
  const { usage } = deps;
  if (!usage) return answer();
  if (!question.answerTs) {
    const tell = (text: string) => usage.tellInThread(question, text, deps.publisher, deps.logger);
    if (!(await usage.admitOrTell(question, jobId, tell, deps.logger))) return { status: 'refused', finishedAt: Date.now() };
  }
  const outcome = await answer();
  await usage.recordAnswer(question, outcome, deps.logger);
  return outcome;
}
