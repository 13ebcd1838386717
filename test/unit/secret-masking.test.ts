import { describe, expect, it } from 'vitest';
import { buildConversation } from '../../src/core/conversation.js';
import { maskQuestion, secretWarningText } from '../../src/slack/secret-warning.js';

const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('secrets on their way to the model', () => {
  it('are masked in every turn of a thread, whoever wrote them', () => {
    const conversation = buildConversation(
      [
        { ts: '1.0', user: 'U0BOB', text: `here are my creds: aws_access_key_id=${AWS_KEY_ID} aws_secret_access_key=${AWS_SECRET}` },
        { ts: '2.0', user: 'UBOT', text: 'Please rotate those.', kind: 'answer' },
        { ts: '3.0', user: 'U0ALICE', text: '<@UBOT> my token is xoxb-1234567890-abcdefghij, is that bad?' },
      ],
      { botUserId: 'UBOT', questionTs: '3.0', tokenBudget: 10_000, maxMessageChars: 10_000 },
    );
    const sent = JSON.stringify(conversation.turns);
    expect(sent).not.toContain(AWS_KEY_ID);
    expect(sent).not.toContain(AWS_SECRET);
    expect(sent).not.toContain('xoxb-1234567890');
    expect(sent).toContain('[REDACTED:aws_access_key_id]');
    expect(sent).toContain('[REDACTED:slack_token]');
  });

  it('are masked when pasted as `aws configure` output or written in a sentence', () => {
    const conversation = buildConversation(
      [
        {
          ts: '1.0',
          user: 'U0BOB',
          text: `I ran aws configure:\nAWS Access Key ID [None]: ${AWS_KEY_ID}\nAWS Secret Access Key [None]: ${AWS_SECRET}\nDefault region name [None]: eu-west-1`,
        },
        { ts: '2.0', user: 'U0ALICE', text: `<@UBOT> my secret access key is ${AWS_SECRET}; the pair was ${AWS_KEY_ID} and ${AWS_SECRET}, is that bad?` },
      ],
      { botUserId: 'UBOT', questionTs: '2.0', tokenBudget: 10_000, maxMessageChars: 10_000 },
    );
    const sent = JSON.stringify(conversation.turns);
    expect(sent).not.toContain(AWS_KEY_ID);
    expect(sent).not.toContain(AWS_SECRET.slice(0, 12));
    expect(sent).not.toContain(AWS_SECRET.slice(-12));
    expect(sent).toContain('AWS Secret Access Key [None]: [REDACTED:aws_secret_access_key]');
    expect(sent).toContain('my secret access key is [REDACTED:aws_secret_access_key]');
    expect(sent).toContain('the pair was [REDACTED:aws_access_key_id] and [REDACTED:aws_secret_access_key]');
  });

  it('are masked before a long message is shortened, so no half key slips through', () => {
    const text = `${'a'.repeat(95)} ${AWS_KEY_ID}`;
    const conversation = buildConversation([{ ts: '1.0', user: 'U1', text }], { botUserId: 'UBOT', questionTs: '1.0', tokenBudget: 10_000, maxMessageChars: 115 });
    expect(conversation.turns[0]!.content).not.toContain('AKIAIOSF');
  });
});

describe('the warning to the person who pasted a secret', () => {
  it('names what was found and asks to rotate it', () => {
    const masked = maskQuestion(`why does ${AWS_KEY_ID} get AccessDenied?`);
    expect(masked.text).toBe('why does [REDACTED:aws_access_key_id] get AccessDenied?');
    const warning = secretWarningText(masked.found);
    expect(warning).toContain('an AWS access key ID');
    expect(warning).toMatch(/rotate it/);
    expect(secretWarningText(['aws_access_key_id', 'aws_secret_access_key', 'password'])).toContain(
      'an AWS access key ID, an AWS secret access key and a password',
    );
  });

  it('names a secret key written in a sentence', () => {
    const masked = maskQuestion(`my secret access key is ${AWS_SECRET}, why is it rejected?`);
    expect(masked).toEqual({ text: 'my secret access key is [REDACTED:aws_secret_access_key], why is it rejected?', found: ['aws_secret_access_key'] });
    expect(secretWarningText(masked.found)).toContain('an AWS secret access key');
  });

  it('is not needed for ordinary AWS identifiers', () => {
    expect(maskQuestion('arn:aws:iam::123456789012:role/Admin and commit 3f786850e387550fdab836ed7e6dc881de23001b').found).toEqual([]);
  });
});
