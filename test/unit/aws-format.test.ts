import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/core/token-estimate.js';
import { choosePeriod } from '../../src/tools/aws/cloudwatch.js';
import { roleSessionName } from '../../src/tools/aws/credentials.js';
import { describeAwsFailure, ToolInputError } from '../../src/tools/aws/errors.js';
import { clip, fitToTokens, utc } from '../../src/tools/aws/format.js';
import { findOperation } from '../../src/tools/aws/operations.js';

describe('fitToTokens', () => {
  const lines = Array.from({ length: 200 }, (_, index) => `- i-0a1b2c3d4e5f6${String(index).padStart(4, '0')} "web-${index}": running, t3.small, eu-west-1a`);
  const text = lines.join('\n');

  it('keeps a short text as it is', () => {
    expect(fitToTokens('one line', 100)).toBe('one line');
  });

  it('drops whole lines from the end and says how many', () => {
    const fitted = fitToTokens(text, 500);
    expect(estimateTokens(fitted)).toBeLessThanOrEqual(500);
    const kept = fitted.split('\n');
    const note = kept.pop() ?? '';
    const dropped = Number(/^… (\d+) more lines left out/.exec(note)?.[1]);
    expect(kept.length + dropped).toBe(200);
    expect(kept).toEqual(lines.slice(0, kept.length));
  });

  it('cuts a single overlong line', () => {
    const fitted = fitToTokens('x'.repeat(5000), 100);
    expect(fitted.length).toBeLessThan(200);
    expect(fitted).toMatch(/cut to keep the result short\)$/);
  });
});

describe('small formatting helpers', () => {
  it('write UTC minutes and clip lines', () => {
    expect(utc(new Date('2026-11-30T04:26:59.900Z'))).toBe('2026-11-30 04:26 UTC');
    expect(utc('2026-11-28T04:37:00.000+0000')).toBe('2026-11-28 04:37 UTC');
    expect(utc(undefined)).toBe('?');
    expect(clip('a\n  b', 10)).toBe('a b');
    expect(clip('abcdefghijkl', 5)).toBe('abcd…');
  });
});

describe('choosePeriod', () => {
  it('picks the smallest standard period within 30 points, and raises a requested one beyond 120', () => {
    expect(choosePeriod(30 * 60, undefined)).toBe(60);
    expect(choosePeriod(60 * 60, undefined)).toBe(300);
    expect(choosePeriod(3 * 24 * 3600, undefined)).toBe(21_600);
    expect(choosePeriod(3600, 60)).toBe(60);
    expect(choosePeriod(3 * 24 * 3600, 60)).toBe(2160);
    expect((3 * 24 * 3600) / choosePeriod(3 * 24 * 3600, 60)).toBeLessThanOrEqual(120);
  });
});

describe('roleSessionName', () => {
  it('names the team and the person within the STS rules', () => {
    expect(roleSessionName({ teamId: 'T0123ABCD', userId: 'U0456EFGH' })).toBe('slack-T0123ABCD-U0456EFGH');
    const odd = roleSessionName({ teamId: 'E01 2/3', userId: `W${'9'.repeat(80)}` });
    expect(odd).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(odd.startsWith('slack-E01-2-3-W99')).toBe(true);
  });
});

describe('describeAwsFailure', () => {
  const context = { operation: findOperation('ce:GetCostAndUsage'), region: 'us-east-1', stopped: false, timedOut: false, timeoutMs: 15_000 };

  it('names the missing permission on access denied', () => {
    const error = Object.assign(new Error('User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ce:GetCostAndUsage'), {
      name: 'AccessDeniedException',
      $metadata: { requestId: 'req-1', httpStatusCode: 400 },
    });
    const failure = describeAwsFailure(error, context);
    expect(failure).toMatchObject({ kind: 'access_denied', code: 'AccessDeniedException', requestId: 'req-1' });
    expect(failure.text).toMatch(/^I'm not allowed to read Cost Explorer in this account \(ce:GetCostAndUsage\)\./);
  });

  it('prefers the stop and the time limit to whatever error the abort caused', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(describeAwsFailure(abort, { ...context, stopped: true }).kind).toBe('stopped');
    expect(describeAwsFailure(abort, { ...context, timedOut: true }).text).toMatch(/did not answer within 15 s/);
  });

  it('passes a tool input problem on as it is, and masks secrets in AWS messages', () => {
    expect(describeAwsFailure(new ToolInputError('The range is too long.'), context)).toMatchObject({ kind: 'invalid_request', text: 'The range is too long.' });
    const leaky = Object.assign(new Error('bad value aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), { name: 'ValidationException' });
    const failure = describeAwsFailure(leaky, context);
    expect(failure.kind).toBe('invalid_request');
    expect(failure.text).not.toContain('wJalrXUtnFEMI');
  });
});
