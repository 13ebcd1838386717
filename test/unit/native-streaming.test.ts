import { describe, expect, it } from 'vitest';
import { CONTINUED_NOTE, MAX_STREAMED_CHARS, nextStreamStep, wantsNativeStream } from '../../src/core/native-streaming.js';

describe('wantsNativeStream', () => {
  it('never streams natively with update, always tries with native', () => {
    expect(wantsNativeStream('update', { source: 'dm', channel: 'D1' })).toBe(false);
    expect(wantsNativeStream('native', { source: 'mention', channel: 'C1' })).toBe(true);
  });

  it('in auto, streams natively in DMs and the assistant panel only', () => {
    expect(wantsNativeStream('auto', { source: 'dm', channel: 'D1' })).toBe(true);
    expect(wantsNativeStream('auto', { source: 'assistant', channel: 'D1' })).toBe(true);
    expect(wantsNativeStream('auto', { source: 'thread-reply', channel: 'D1' })).toBe(true);
    expect(wantsNativeStream('auto', { source: 'mention', channel: 'C1' })).toBe(false);
    expect(wantsNativeStream('auto', { source: 'command', channel: 'C1' })).toBe(false);
  });
});

describe('nextStreamStep', () => {
  it('appends what the stream does not hold yet', () => {
    expect(nextStreamStep('', 'Hello', false)).toEqual({ kind: 'append', text: 'Hello' });
    expect(nextStreamStep('Hello', 'Hello, world', false)).toEqual({ kind: 'append', text: ', world' });
    expect(nextStreamStep('Hello', 'Hello', false)).toEqual({ kind: 'wait' });
  });

  it('asks for chat.update when the answer no longer continues what was streamed', () => {
    expect(nextStreamStep('Hello', 'Goodbye', false)).toEqual({ kind: 'rewrite' });
    expect(nextStreamStep('Hello', ':hourglass: retrying', true)).toEqual({ kind: 'rewrite' });
  });

  it('stops growing the stream at Slack’s size, once with a note, and then waits for the final update', () => {
    const long = 'x'.repeat(MAX_STREAMED_CHARS);
    expect(nextStreamStep('xxx', long, false)).toEqual({ kind: 'full', text: CONTINUED_NOTE });
    expect(nextStreamStep('xxx', long, true)).toEqual({ kind: 'wait' });
  });
});
