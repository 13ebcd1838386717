import { describe, expect, it } from 'vitest';
import { asContinuation, CONTINUE_INSTRUCTION } from '../../src/core/continuation.js';

describe('Continue', () => {
  it('asks the model to go on after the cut answer, as a user turn (no prefill)', () => {
    const cut = { turns: [{ role: 'user' as const, content: '<@U0ALICE>: explain VPCs' }, { role: 'assistant' as const, content: 'A VPC is a private net' }], omittedMessages: 0, questionTruncated: false };
    const continued = asContinuation(cut, 'U0BOB');
    expect(continued.turns).toEqual([...cut.turns, { role: 'user', content: `<@U0BOB>: ${CONTINUE_INSTRUCTION}` }]);
    expect(cut.turns).toHaveLength(2);
  });

  it('keeps roles alternating when the thread ends with a person', () => {
    const continued = asContinuation({ turns: [{ role: 'user', content: '<@U0ALICE>: hi' }], omittedMessages: 0, questionTruncated: false }, 'U0ALICE');
    expect(continued.turns).toHaveLength(1);
    expect(continued.turns[0]?.content).toContain(CONTINUE_INSTRUCTION);
  });
});
