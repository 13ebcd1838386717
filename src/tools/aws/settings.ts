/**
 * The settings that turn on read access to a team's own AWS account, parsed from environment
 * variables without reading process.env (the caller passes it) and without throwing: a bad value
 * comes back as a problem sentence naming the variable. Pure.
 *
 * AWS_ACCOUNT_ACCESS     on|off (also true/false, 1/0, yes/no), default off.
 * AWS_ACCOUNT_ROLE_ARN   optional IAM role ARN the bot assumes for each person's calls.
 * AWS_ACCOUNT_CHANNELS   comma list of channel ids (C…, G…, D…) and `dm` (every direct message);
 *                        required when access is on: the account is never readable everywhere by default.
 * AWS_ACCOUNT_REGIONS    comma list of region names; the first is the default. When unset, AWS_REGION
 *                        or else AWS_DEFAULT_REGION; one of them is required when access is on.
 */

export interface AwsAccountSettings {
  enabled: boolean;
  roleArn: string | undefined;
  /** Channel ids, upper case. */
  channels: string[];
  /** Whether direct messages with the bot may use the account tools. */
  directMessages: boolean;
  /** Allowed regions; the first is the default. Empty only when access is off. */
  regions: string[];
}

export type AwsAccountSettingsResult = { ok: true; settings: AwsAccountSettings } | { ok: false; problems: string[] };

export type SettingsEnv = Readonly<Record<string, string | undefined>>;

const ON = new Set(['on', 'true', '1', 'yes']);
const OFF = new Set(['off', 'false', '0', 'no', '']);

/**
 * Commercial, GovCloud, China, ISO and sovereign partitions: `eu-west-1`, `us-gov-west-1`,
 * `cn-north-1`, `us-isob-east-1`, `eusc-de-east-1`, `ap-southeast-7`.
 */
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/;

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Public channels C…, private channels and group DMs G…, direct messages D… (Slack ids are upper-case alphanumerics). */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

export function isAwsRegionName(value: string): boolean {
  return REGION.test(value);
}

export function parseAwsAccountSettings(env: SettingsEnv): AwsAccountSettingsResult {
  const problems: string[] = [];

  const rawAccess = (env.AWS_ACCOUNT_ACCESS ?? '').trim().toLowerCase();
  let enabled = false;
  if (ON.has(rawAccess)) enabled = true;
  else if (!OFF.has(rawAccess)) problems.push(`AWS_ACCOUNT_ACCESS must be on or off (got "${env.AWS_ACCOUNT_ACCESS}")`);

  const roleArn = nonEmpty(env.AWS_ACCOUNT_ROLE_ARN);
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
    problems.push(`AWS_ACCOUNT_ROLE_ARN must be an IAM role ARN such as arn:aws:iam::123456789012:role/aws-orchestrator-readonly (got "${roleArn}")`);
  }

  const channels: string[] = [];
  let directMessages = false;
  for (const item of commaList(env.AWS_ACCOUNT_CHANNELS)) {
    if (item.toLowerCase() === 'dm') directMessages = true;
    else if (CHANNEL_ID.test(item.toUpperCase())) channels.push(item.toUpperCase());
    else problems.push(`AWS_ACCOUNT_CHANNELS: "${item}" is neither a Slack channel id (C…, G…, D…) nor dm`);
  }
  if (enabled && commaList(env.AWS_ACCOUNT_CHANNELS).length === 0) {
    problems.push('AWS_ACCOUNT_CHANNELS must list the channel ids (and/or dm) where the account may be read when AWS_ACCOUNT_ACCESS is on');
  }

  const listed = commaList(env.AWS_ACCOUNT_REGIONS);
  const fallback = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const candidates = listed.length > 0 ? listed : fallback !== undefined ? [fallback] : [];
  const source = listed.length > 0 ? 'AWS_ACCOUNT_REGIONS' : nonEmpty(env.AWS_REGION) !== undefined ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
  const regions: string[] = [];
  for (const region of candidates) {
    const normalised = region.toLowerCase();
    if (!isAwsRegionName(normalised)) problems.push(`${source}: "${region}" is not an AWS region name (such as eu-west-1)`);
    else if (!regions.includes(normalised)) regions.push(normalised);
  }
  if (enabled && candidates.length === 0) {
    problems.push('AWS_ACCOUNT_REGIONS must list the regions the bot may read (the first is the default) when AWS_ACCOUNT_ACCESS is on');
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, settings: { enabled, roleArn, channels, directMessages, regions } };
}

/** Whether the account tools may be offered in this conversation. */
export function awsAccountAllowedIn(settings: AwsAccountSettings, channel: string, isDirectMessage: boolean): boolean {
  if (!settings.enabled) return false;
  if (isDirectMessage && settings.directMessages) return true;
  return settings.channels.includes(channel.toUpperCase());
}

function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function nonEmpty(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}
