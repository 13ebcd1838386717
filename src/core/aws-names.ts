/**
 * The shapes of AWS and Slack names the account settings take. Pure.
 */

/**
 * Commercial, GovCloud, China, ISO and sovereign partitions: `eu-west-1`, `us-gov-west-1`,
 * `cn-north-1`, `us-isob-east-1`, `eusc-de-east-1`, `ap-southeast-7`.
 */
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/;

export const IAM_ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Public channels C…, private channels and group DMs G…, direct messages D… (Slack ids are upper-case alphanumerics). */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/** In channel lists, every direct message with the bot (and the assistant panel). */
export const DIRECT_MESSAGES = 'dm';

export function isAwsRegionName(value: string): boolean {
  return REGION.test(value);
}

export function isSlackChannelId(value: string): boolean {
  return CHANNEL_ID.test(value);
}
