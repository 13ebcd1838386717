import { describe, expect, it } from 'vitest';
import { decideAccess, requesterOf, restrictsAnything, type AccessPolicy, type Requester } from '../../src/core/access.js';

const open: AccessPolicy = { teamIds: [], channelIds: [], userIds: [] };
const asker = (over: Partial<Requester> = {}): Requester => ({
  kind: 'event',
  teamId: 'T1',
  userId: 'U1',
  channelId: 'C1',
  isDirectMessage: false,
  addressedToBot: true,
  messageTs: '1.0',
  threadTs: '1.0',
  ...over,
});

describe('decideAccess', () => {
  it('lets everyone in when no list is set', () => {
    expect(restrictsAnything(open)).toBe(false);
    expect(decideAccess(open, asker())).toEqual({ allowed: true });
  });

  it('requires each list that is set, and says which one refused', () => {
    const policy: AccessPolicy = { teamIds: ['T1'], channelIds: ['C1'], userIds: ['U1'] };
    expect(decideAccess(policy, asker())).toEqual({ allowed: true });
    expect(decideAccess(policy, asker({ teamId: 'T2' }))).toEqual({ allowed: false, reason: 'team' });
    expect(decideAccess(policy, asker({ channelId: 'C2' }))).toEqual({ allowed: false, reason: 'channel' });
    expect(decideAccess(policy, asker({ userId: 'U2' }))).toEqual({ allowed: false, reason: 'user' });
  });

  it('refuses what it cannot tell (an unknown team or channel) when that list is set', () => {
    expect(decideAccess({ ...open, teamIds: ['T1'] }, asker({ teamId: undefined }))).toEqual({ allowed: false, reason: 'team' });
    expect(decideAccess({ ...open, channelIds: ['C1'] }, asker({ channelId: undefined }))).toEqual({ allowed: false, reason: 'channel' });
  });

  it('admits direct messages under a channel list only through the dm entry', () => {
    const dm = asker({ channelId: 'D123', isDirectMessage: true });
    expect(decideAccess({ ...open, channelIds: ['C1'] }, dm)).toEqual({ allowed: false, reason: 'channel' });
    expect(decideAccess({ ...open, channelIds: ['C1', 'dm'] }, dm)).toEqual({ allowed: true });
    expect(decideAccess({ ...open, channelIds: ['dm'] }, asker())).toEqual({ allowed: false, reason: 'channel' });
  });
});

describe('requesterOf', () => {
  it('reads a mention, with the asker’s own workspace from a Slack Connect channel', () => {
    const body = {
      type: 'event_callback',
      team_id: 'THOME',
      event: { type: 'app_mention', user: 'U1', user_team: 'TEXT', team: 'TEXT', channel: 'C1', ts: '2.0', thread_ts: '1.0' },
    };
    expect(requesterOf(body)).toMatchObject({ kind: 'event', teamId: 'TEXT', userId: 'U1', channelId: 'C1', addressedToBot: true, messageTs: '2.0', threadTs: '1.0' });
  });

  it('treats a DM as addressed to the bot and a plain channel message as not', () => {
    const dm = requesterOf({ type: 'event_callback', team_id: 'T1', event: { type: 'message', user: 'U1', channel: 'D1', channel_type: 'im', ts: '1.0' } });
    expect(dm).toMatchObject({ isDirectMessage: true, addressedToBot: true, teamId: 'T1' });
    const chatter = requesterOf({ type: 'event_callback', team_id: 'T1', event: { type: 'message', user: 'U1', channel: 'C1', channel_type: 'channel', ts: '1.0' } });
    expect(chatter).toMatchObject({ isDirectMessage: false, addressedToBot: false });
  });

  it('leaves bot posts, edits and user-less events alone', () => {
    expect(requesterOf({ type: 'event_callback', event: { type: 'message', bot_id: 'B1', user: 'UBOT', channel: 'C1' } })).toBeUndefined();
    expect(requesterOf({ type: 'event_callback', event: { type: 'message', subtype: 'message_changed', channel: 'C1' } })).toBeUndefined();
    expect(requesterOf({ type: 'event_callback', event: { type: 'team_join' } })).toBeUndefined();
    expect(requesterOf('not a payload')).toBeUndefined();
  });

  it('reads an assistant thread start from its assistant_thread', () => {
    const body = { type: 'event_callback', team_id: 'T1', event: { type: 'assistant_thread_started', assistant_thread: { user_id: 'U1', channel_id: 'D9', thread_ts: '5.0' } } };
    expect(requesterOf(body)).toMatchObject({ userId: 'U1', channelId: 'D9', isDirectMessage: true, addressedToBot: true, threadTs: '5.0' });
  });

  it('reads slash commands and button presses', () => {
    expect(requesterOf({ command: '/aws', team_id: 'T1', user_id: 'U1', channel_id: 'C1', text: 'hi' })).toMatchObject({ kind: 'command', teamId: 'T1', userId: 'U1', channelId: 'C1' });
    const action = {
      type: 'block_actions',
      user: { id: 'U1', team_id: 'T1' },
      team: { id: 'T1' },
      channel: { id: 'C1' },
      container: { type: 'message', message_ts: '3.0', channel_id: 'C1' },
      message: { ts: '3.0', thread_ts: '1.0' },
    };
    expect(requesterOf(action)).toMatchObject({ kind: 'action', userId: 'U1', channelId: 'C1', messageTs: '3.0', threadTs: '1.0', addressedToBot: true });
  });
});

describe('requesterOf a message shortcut', () => {
  it('names the person, the channel and where a refusal reaches them', () => {
    const requester = requesterOf({
      type: 'message_action',
      callback_id: 'ask_about_message',
      team: { id: 'T1' },
      user: { id: 'U1', team_id: 'T1' },
      channel: { id: 'C1' },
      message_ts: '1700000000.000100',
      message: { ts: '1700000000.000100', thread_ts: '1699999999.000100', text: 'ALARM' },
      response_url: 'https://hooks.slack.com/actions/T1/1/x',
    });
    expect(requester).toEqual({
      kind: 'action',
      teamId: 'T1',
      userId: 'U1',
      channelId: 'C1',
      isDirectMessage: false,
      addressedToBot: true,
      messageTs: '1700000000.000100',
      threadTs: '1699999999.000100',
      responseUrl: 'https://hooks.slack.com/actions/T1/1/x',
    });
    expect(decideAccess({ teamIds: [], channelIds: ['C2'], userIds: [] }, requester!)).toEqual({ allowed: false, reason: 'channel' });
  });
});
