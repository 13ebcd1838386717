import { describe, expect, it } from 'vitest';
import { awsAccountAllowedIn, isAwsRegionName, parseAwsAccountSettings } from '../../src/tools/aws/settings.js';

describe('parseAwsAccountSettings', () => {
  it('is off by default and needs nothing else then', () => {
    const result = parseAwsAccountSettings({});
    expect(result).toEqual({ ok: true, settings: { enabled: false, roleArn: undefined, channels: [], directMessages: false, regions: [] } });
  });

  it('reads every setting when access is on', () => {
    const result = parseAwsAccountSettings({
      AWS_ACCOUNT_ACCESS: 'on',
      AWS_ACCOUNT_ROLE_ARN: 'arn:aws:iam::123456789012:role/aws-orchestrator-readonly',
      AWS_ACCOUNT_CHANNELS: ' C0123ABCD, dm ,g0456efgh',
      AWS_ACCOUNT_REGIONS: 'eu-west-1, us-east-1,eu-west-1',
    });
    expect(result).toEqual({
      ok: true,
      settings: {
        enabled: true,
        roleArn: 'arn:aws:iam::123456789012:role/aws-orchestrator-readonly',
        channels: ['C0123ABCD', 'G0456EFGH'],
        directMessages: true,
        regions: ['eu-west-1', 'us-east-1'],
      },
    });
  });

  it('takes the usual spellings of on and off', () => {
    for (const on of ['on', 'TRUE', '1', 'yes']) {
      const result = parseAwsAccountSettings({ AWS_ACCOUNT_ACCESS: on, AWS_ACCOUNT_CHANNELS: 'dm', AWS_ACCOUNT_REGIONS: 'eu-west-1' });
      expect(result.ok && result.settings.enabled, on).toBe(true);
    }
    for (const off of ['off', 'false', '0', 'no', '']) {
      const result = parseAwsAccountSettings({ AWS_ACCOUNT_ACCESS: off });
      expect(result.ok && result.settings.enabled, off).toBe(false);
    }
  });

  it('falls back to AWS_REGION, then AWS_DEFAULT_REGION, for the regions', () => {
    const fromRegion = parseAwsAccountSettings({ AWS_ACCOUNT_ACCESS: 'on', AWS_ACCOUNT_CHANNELS: 'dm', AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' });
    expect(fromRegion.ok && fromRegion.settings.regions).toEqual(['eu-central-1']);
    const fromDefault = parseAwsAccountSettings({ AWS_ACCOUNT_ACCESS: 'on', AWS_ACCOUNT_CHANNELS: 'dm', AWS_DEFAULT_REGION: 'us-west-2' });
    expect(fromDefault.ok && fromDefault.settings.regions).toEqual(['us-west-2']);
  });

  it('lists every problem, naming the variable', () => {
    const result = parseAwsAccountSettings({
      AWS_ACCOUNT_ACCESS: 'maybe',
      AWS_ACCOUNT_ROLE_ARN: 'arn:aws:iam::123:user/someone',
      AWS_ACCOUNT_CHANNELS: 'C0123ABCD,#general',
      AWS_ACCOUNT_REGIONS: 'eu-west-1,Ireland',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^AWS_ACCOUNT_ACCESS must be on or off/);
    expect(problems[1]).toMatch(/^AWS_ACCOUNT_ROLE_ARN must be an IAM role ARN/);
    expect(problems[2]).toMatch(/^AWS_ACCOUNT_CHANNELS: "#general"/);
    expect(problems[3]).toMatch(/^AWS_ACCOUNT_REGIONS: "Ireland" is not an AWS region name/);
  });

  it('requires channels and regions when access is on', () => {
    const result = parseAwsAccountSettings({ AWS_ACCOUNT_ACCESS: 'on' });
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^AWS_ACCOUNT_CHANNELS must list/),
      expect.stringMatching(/^AWS_ACCOUNT_REGIONS must list/),
    ]);
  });
});

describe('isAwsRegionName', () => {
  it('accepts the partitions and rejects other words', () => {
    for (const region of ['eu-west-1', 'us-east-1', 'ap-southeast-7', 'us-gov-west-1', 'cn-northwest-1', 'us-isob-east-1', 'eusc-de-east-1', 'il-central-1']) {
      expect(isAwsRegionName(region), region).toBe(true);
    }
    for (const word of ['', 'eu-west', 'EU-WEST-1', 'global', 'eu-west-1a', 'us-east-1 ', 'aws-global']) {
      expect(isAwsRegionName(word), word).toBe(false);
    }
  });
});

describe('awsAccountAllowedIn', () => {
  const parsed = parseAwsAccountSettings({ AWS_ACCOUNT_ACCESS: 'on', AWS_ACCOUNT_CHANNELS: 'C0123ABCD,dm', AWS_ACCOUNT_REGIONS: 'eu-west-1' });
  const settings = parsed.ok ? parsed.settings : undefined;

  it('allows listed channels and direct messages, nothing else', () => {
    expect(settings).toBeDefined();
    if (!settings) return;
    expect(awsAccountAllowedIn(settings, 'C0123ABCD', false)).toBe(true);
    expect(awsAccountAllowedIn(settings, 'D0999ZZZZ', true)).toBe(true);
    expect(awsAccountAllowedIn(settings, 'C0999ZZZZ', false)).toBe(false);
    expect(awsAccountAllowedIn({ ...settings, directMessages: false }, 'D0999ZZZZ', true)).toBe(false);
    expect(awsAccountAllowedIn({ ...settings, enabled: false }, 'C0123ABCD', false)).toBe(false);
  });
});
