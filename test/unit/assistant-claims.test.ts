import { describe, expect, it } from 'vitest';
// Bolt's own predicate, from the module its Assistant middleware uses (not part of its public API).
import { isAssistantMessage } from '@slack/bolt/dist/Assistant.js';
import { isClaimedByAssistant } from '../../src/slack/listeners/assistant/claims.js';

describe('isClaimedByAssistant', () => {
  const cases: Array<Record<string, string>> = [];
  for (const channel_type of ['im', 'channel', 'group', 'mpim']) {
    for (const thread_ts of [undefined, '1700000000.000100']) {
      for (const subtype of [undefined, 'file_share', 'message_changed', 'bot_message', 'thread_broadcast']) {
        cases.push({
          type: 'message',
          channel: channel_type === 'im' ? 'D0DM' : 'C0GENERAL',
          channel_type,
          ts: '1700000000.000200',
          ...(thread_ts ? { thread_ts } : {}),
          ...(subtype ? { subtype } : {}),
        });
      }
    }
  }

  it('agrees with Bolt on which messages its Assistant middleware takes', () => {
    for (const message of cases) expect(isClaimedByAssistant(message), JSON.stringify(message)).toBe(isAssistantMessage(message as never));
  });

  it('claims replies in DM threads and nothing else', () => {
    expect(isClaimedByAssistant({ channel_type: 'im', thread_ts: '1.2' })).toBe(true);
    expect(isClaimedByAssistant({ channel_type: 'im' })).toBe(false);
    expect(isClaimedByAssistant({ channel_type: 'channel', thread_ts: '1.2' })).toBe(false);
  });
});
