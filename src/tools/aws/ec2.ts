/** EC2 instances (DescribeInstances), filtered by state, Name tag or ids, a bounded number of pages. */
import { DescribeInstancesCommand, EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { limitField, regionField, text, textList, type Regions } from './fields.js';
import { clip, count, joinParts, utc } from './format.js';
import type { AwsToolSpec } from './runner.js';

const STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;
const MAX_PAGES = 5;

export function ec2InstancesTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      state: z.enum(STATES).optional().describe('Only instances in this state.'),
      name: z
        .string()
        .min(1)
        .max(255)
        .optional()
        .describe('Only instances whose Name tag matches; * is a wildcard (e.g. "web-*").'),
      instanceIds: z
        .array(z.string().regex(/^i-[0-9a-f]{8,17}$/, 'must be an instance id such as i-0123456789abcdef0'))
        .min(1)
        .max(20)
        .optional()
        .describe('Only these instance ids (up to 20).'),
      limit: limitField(50, 20, 'instances'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_ec2_instances',
    description:
      'Lists EC2 instances in one region of the team\'s AWS account (EC2 DescribeInstances): id, Name tag, state (and why it stopped), type, availability zone, private/public IP, launch time. Filter by state, Name tag or instance ids.',
    schema,
    operation: 'ec2:DescribeInstances',
    reuseSeconds: 20,
    detail: (input) => joinParts([text(input.state), text(input.name) && `name ${text(input.name)}`, textList(input.instanceIds)], ' · ') || undefined,
    async execute(input, run) {
      const ec2 = run.client(EC2Client);
      const filters: Filter[] = [];
      if (input.state) filters.push({ Name: 'instance-state-name', Values: [input.state] });
      if (input.name) filters.push({ Name: 'tag:Name', Values: [input.name] });
      const instances: Instance[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        // EC2 refuses MaxResults together with InstanceIds; twenty ids fit in one answer anyway.
        const params = {
          ...(filters.length > 0 ? { Filters: filters } : {}),
          ...(input.instanceIds ? { InstanceIds: input.instanceIds } : { MaxResults: Math.max(5, Math.min(1000, input.limit)) }),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
        const output = await run.call('ec2:DescribeInstances', params, (abortSignal) => ec2.send(new DescribeInstancesCommand(params), { abortSignal }));
        for (const reservation of output.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
        nextToken = output.NextToken;
        pages += 1;
      } while (nextToken && instances.length < input.limit && pages < MAX_PAGES);

      const shown = instances.slice(0, input.limit);
      const filterText = joinParts([input.state && `state ${input.state}`, input.name && `Name ${input.name}`, input.instanceIds && `ids ${input.instanceIds.join(' ')}`]);
      const more = instances.length > shown.length || nextToken ? ' (more exist: narrow the filters or raise the limit)' : '';
      const header = `EC2 instances in ${run.region}${filterText ? ` (${filterText})` : ''}: ${count(shown.length, 'instance')} shown${more}.`;
      if (shown.length === 0) return `${header}\nNone matched.`;
      return [header, ...shown.map(instanceLine)].join('\n');
    },
  };
  return spec;
}

function instanceLine(instance: Instance): string {
  const name = instance.Tags?.find((tag) => tag.Key === 'Name')?.Value;
  const state = instance.State?.Name ?? '?';
  const why = state !== 'running' && state !== 'pending' ? clip(instance.StateReason?.Message ?? instance.StateTransitionReason, 120) : '';
  return `- ${instance.InstanceId ?? '?'}${name ? ` "${clip(name, 60)}"` : ''}: ${joinParts([
    why ? `${state} (${why})` : state,
    instance.InstanceType,
    instance.Placement?.AvailabilityZone,
    instance.PrivateIpAddress && `private ${instance.PrivateIpAddress}`,
    instance.PublicIpAddress && `public ${instance.PublicIpAddress}`,
    instance.LaunchTime && `launched ${utc(instance.LaunchTime)}`,
  ])}`;
}
