/** Which AWS account and identity the bot reads with (STS GetCallerIdentity). */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { regionField, type Regions } from './fields.js';
import type { AwsToolSpec } from './runner.js';

export function identityTool(regions: Regions) {
  const schema = z.object({ region: regionField(regions) }).strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_whoami',
    description:
      "Shows which AWS account the bot can read and the identity it reads as (STS GetCallerIdentity): account id and ARN. Use it to confirm which account an answer about 'our' resources is about.",
    schema,
    operation: 'sts:GetCallerIdentity',
    reuseSeconds: 300,
    detail: () => undefined,
    async execute(_input, run) {
      const sts = run.client(STSClient);
      const params = {};
      const output = await run.call('sts:GetCallerIdentity', params, (abortSignal) => sts.send(new GetCallerIdentityCommand(params), { abortSignal }));
      return `AWS identity: account ${output.Account ?? '?'}, ARN ${output.Arn ?? '?'}, user id ${output.UserId ?? '?'}.`;
    },
  };
  return spec;
}
