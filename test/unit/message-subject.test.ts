import { describe, expect, it } from 'vitest';
import { buildConversation, TRUNCATION_NOTE, type ThreadMessage } from '../../src/core/conversation.js';
import { authorLabel, cannotAnswerThereText, messageAuthor, messageSubjectText, subjectTurnText } from '../../src/core/message-subject.js';
import { cloudWatchAlarmNotification, richTextBlocks } from '../support/slack-requests.js';

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const BOT = { botUserId: 'UBOT', botId: 'BBOT' };

describe('the text of a message asked about', () => {
  it("reads a CloudWatch alarm from its attachment: title and link, reason, every field", () => {
    const alarm = cloudWatchAlarmNotification({ alarmName: 'prod-api-high-cpu', region: 'eu-west-1', accountId: '111122223333' });
    const text = messageSubjectText(alarm);
    expect(text.split('\n')).toEqual([
      ':rotating_light: CloudWatch Alarm | prod-api-high-cpu | eu-west-1 | Account: 111122223333 (https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/prod-api-high-cpu)',
      'Threshold Crossed: 1 out of the last 1 datapoints [92.4 (01/01/26 00:00:00)] was greater than the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).',
      'Alarm Name: prod-api-high-cpu',
      'State: OK → ALARM',
      'Metric: AWS/EC2 CPUUtilization (InstanceId = i-0123456789abcdef0)',
      'Region: eu-west-1',
      'Account: 111122223333',
    ]);
  });

  it("reads a person's message once, although Slack stores it as text and as a rich_text block", () => {
    const text = 'Deploy failed with *AccessDenied* on <@U0BOB>’s bucket';
    expect(messageSubjectText({ text, blocks: richTextBlocks(text) })).toBe(text);
  });

  it("reads an app's blocks (sections, fields, header, context) once, skipping its buttons and the notification text they repeat", () => {
    const message = {
      text: 'Deploy of api v2.3 failed',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Deploy of api v2.3 failed' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'Stage *migrate* exited with code 1' }, fields: [{ type: 'mrkdwn', text: '*Env:* prod' }, { type: 'mrkdwn', text: '*By:* <@U0BOB>' }] },
        { type: 'divider' },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'pipeline #4812' }, { type: 'image', image_url: 'https://x.example/i.png', alt_text: 'logo' }] },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Roll back' }, action_id: 'rollback' }] },
      ],
    };
    expect(messageSubjectText(message)).toBe(['Deploy of api v2.3 failed', 'Stage *migrate* exited with code 1', '*Env:* prod', '*By:* <@U0BOB>', 'pipeline #4812'].join('\n'));
  });

  it('renders rich text without a text field: lists, code, quotes, mentions, links and emoji', () => {
    const blocks = [
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'Hey ' }, { type: 'user', user_id: BOB }, { type: 'text', text: ', see ' }, { type: 'link', url: 'https://status.aws.amazon.com', text: 'status' }, { type: 'emoji', name: 'fire' }] },
          { type: 'rich_text_list', style: 'ordered', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }, { type: 'rich_text_section', elements: [{ type: 'text', text: 'two' }] }] },
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'Error: AccessDenied' }] },
          { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted\nlines' }] },
        ],
      },
    ];
    expect(messageSubjectText({ text: '', blocks })).toBe(
      ['Hey <@U0BOB>, see <https://status.aws.amazon.com|status>:fire:', '1. one', '2. two', '```\nError: AccessDenied\n```', '> quoted\n> lines'].join('\n'),
    );
  });

  it("falls back to an attachment's fallback text, and finds nothing in a message of files alone", () => {
    expect(messageSubjectText({ text: '', attachments: [{ fallback: 'Build #12 failed' }] })).toBe('Build #12 failed');
    expect(messageSubjectText({ text: '', blocks: [], attachments: [] })).toBe('');
  });
});

describe('the author of a message asked about', () => {
  it('is a person, or an app by the name Slack shows for it', () => {
    expect(messageAuthor({ user: BOB, text: 'hi' })).toEqual({ userId: BOB });
    expect(messageAuthor({ bot_id: 'B1', username: 'Deploy Bot', text: '' })).toEqual({ appName: 'Deploy Bot' });
    // An app's bot user posts with a user id, but it is still an app.
    expect(messageAuthor({ user: 'U0APPBOT', bot_id: 'B2', bot_profile: { name: 'AWS Chatbot' } })).toEqual({ appName: 'AWS Chatbot' });
    expect(authorLabel({ userId: BOB })).toBe('<@U0BOB>');
    expect(authorLabel({ appName: 'AWS Chatbot' })).toBe('AWS Chatbot (an app)');
    expect(authorLabel({})).toBe('an app');
  });
});

describe('a message asked about, in the conversation', () => {
  const options = { ...BOT, tokenBudget: 10_000, maxMessageChars: 2000 };
  const alarmText = 'CloudWatch Alarm | prod-api-high-cpu\nState: OK → ALARM';

  it("is the question, naming who asked and who wrote it, with credentials masked", () => {
    const subject: ThreadMessage = { ts: '100.000100', subtype: 'bot_message', botId: 'B0AWSCHATBOT', appName: 'AWS Chatbot', askedAboutBy: ALICE, text: `${alarmText}\nkey AKIAIOSFODNN7EXAMPLE` };
    const conversation = buildConversation([subject], { ...options, questionTs: subject.ts });
    expect(conversation.turns).toEqual([
      { role: 'user', content: subjectTurnText(ALICE, { appName: 'AWS Chatbot' }, `${alarmText}\nkey [REDACTED:aws_access_key_id]`) },
    ]);
    expect(conversation.turns[0]!.content.startsWith(`<@${ALICE}> asks you about this message from AWS Chatbot (an app):\n\n`)).toBe(true);
  });

  it("keeps a teammate's message in a thread with its context, and cuts a long one with the usual note", () => {
    const parent: ThreadMessage = { ts: '100.000100', user: BOB, text: 'Deploying api v2.3 to prod' };
    const subject: ThreadMessage = { ts: '100.000200', user: BOB, askedAboutBy: ALICE, text: `Traceback:\n${'x'.repeat(3000)}` };
    const conversation = buildConversation([parent, subject], { ...options, questionTs: subject.ts });
    expect(conversation.turns).toHaveLength(1);
    expect(conversation.turns[0]!.content).toMatch(new RegExp(`^<@${BOB}>: Deploying api v2.3 to prod\n\n<@${ALICE}> asks you about this message from <@${BOB}>:\n\nTraceback:`));
    expect(conversation.turns[0]!.content.endsWith(TRUNCATION_NOTE)).toBe(true);
    expect(conversation.questionTruncated).toBe(true);
  });

  it("stays the context of later questions in its thread once answered, while other apps' posts stay out", () => {
    const alarm: ThreadMessage = { ts: '100.000100', subtype: 'bot_message', botId: 'B0AWSCHATBOT', text: alarmText };
    const answer: ThreadMessage = { ts: '100.000300', user: 'UBOT', botId: 'BBOT', kind: 'answer', answersTs: alarm.ts, text: 'The API instances are CPU-bound.' };
    const otherBot: ThreadMessage = { ts: '100.000350', subtype: 'bot_message', botId: 'B0JIRA', text: 'Ticket OPS-1 created' };
    const followUp: ThreadMessage = { ts: '100.000400', user: ALICE, text: 'How do I scale them out?' };
    const conversation = buildConversation([alarm, answer, otherBot, followUp], { ...options, questionTs: followUp.ts });
    expect(conversation.turns).toEqual([
      { role: 'user', content: `an app: ${alarmText}` },
      { role: 'assistant', content: 'The API instances are CPU-bound.' },
      { role: 'user', content: `<@${ALICE}>: How do I scale them out?` },
    ]);
  });
});

describe('where the bot cannot answer', () => {
  it('tells the person how to let it in, by what Slack said', () => {
    expect(cannotAnswerThereText('not_in_channel')).toContain('/invite @aws-orchestrator');
    expect(cannotAnswerThereText('channel_not_found')).toContain('private');
    expect(cannotAnswerThereText('is_archived')).toContain('archived');
  });
});
