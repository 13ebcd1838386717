import { describe, expect, it } from 'vitest';
import { toSlackMrkdwn, toSlackMrkdwnPartial } from '../../src/core/slack-format.js';

/** The system prompt asks the model to address people as <@USERID>: those must stay mentions. */
describe('Slack references in an answer', () => {
  it('keeps person mentions and channel links, which Slack renders', () => {
    expect(toSlackMrkdwn('Thanks <@U0ALICE>, see <#C0GENERAL|general> & ask <@W0BOB|bob>.')).toBe(
      'Thanks <@U0ALICE>, see <#C0GENERAL|general> &amp; ask <@W0BOB|bob>.',
    );
  });

  it('never lets an answer ping a whole channel or smuggle other markup', () => {
    expect(toSlackMrkdwn('Hey <!channel> and <!here>, <@U0ALICE> & <!subteam^S123>')).toBe('Hey &lt;!channel&gt; and &lt;!here&gt;, <@U0ALICE> &amp; &lt;!subteam^S123&gt;');
    expect(toSlackMrkdwn('a <@lowercase> and <@U0ALICE|a<b>')).toBe('a &lt;@lowercase&gt; and &lt;@U0ALICE|a&lt;b&gt;');
  });

  it('shows a half-written mention escaped until it is complete', () => {
    expect(toSlackMrkdwnPartial('Thanks <@U0AL')).toBe('Thanks &lt;@U0AL');
  });

  it('leaves mentions inside code alone', () => {
    expect(toSlackMrkdwn('Use `<@U0ALICE>` in the API.')).toBe('Use `&lt;@U0ALICE&gt;` in the API.');
  });
});
