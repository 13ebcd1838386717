/**
 * Which `message` events Bolt's Assistant middleware takes for itself, before any other listener
 * runs (it does not call next() for them): every message in a DM thread, whether the thread was
 * opened in the assistant panel or is a plain DM conversation. The Assistant listener answers
 * all of them; the generic message listener skips exactly these, so each message has one owner.
 * Mirrors `isAssistantMessage` in @slack/bolt's Assistant.js (test/unit/assistant-claims.test.ts
 * checks that the two agree).
 */
export interface MessageShape {
  channel_type?: string;
  thread_ts?: string;
  subtype?: string;
}

export function isClaimedByAssistant(message: MessageShape): boolean {
  return message.channel_type === 'im' && message.thread_ts !== undefined && (message.subtype === undefined || message.subtype === 'file_share');
}
