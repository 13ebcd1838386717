/** CloudFormation stacks (DescribeStacks) and one stack's latest events (DescribeStackEvents). */
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, type Stack, type StackEvent } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { limitField, regionField, text, type Regions } from './fields.js';
import { clip, count, joinParts, utc } from './format.js';
import type { AwsToolSpec } from './runner.js';

const MAX_PAGES = 3;
const MAX_OUTPUTS = 10;

const STACK_NAME = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\w:/.-]+$/, 'must be a stack name or stack id (ARN)');

export function cloudformationStacksTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      stackName: STACK_NAME.optional().describe('One stack (name or id) to show with its outputs. Without it: every stack of the region.'),
      limit: limitField(50, 20, 'stacks'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_cloudformation_stacks',
    description:
      "Shows CloudFormation stacks in one region (CloudFormation DescribeStacks): status and status reason, created and last updated, drift status; for one named stack also its outputs. Use it to see whether a deployment succeeded or rolled back.",
    schema,
    operation: 'cloudformation:DescribeStacks',
    reuseSeconds: 20,
    detail: (input) => text(input.stackName),
    async execute(input, run) {
      const cloudformation = run.client(CloudFormationClient);
      const stacks: Stack[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const params = { ...(input.stackName ? { StackName: input.stackName } : {}), ...(nextToken ? { NextToken: nextToken } : {}) };
        const output = await run.call('cloudformation:DescribeStacks', params, (abortSignal) => cloudformation.send(new DescribeStacksCommand(params), { abortSignal }));
        stacks.push(...(output.Stacks ?? []));
        nextToken = output.NextToken;
        pages += 1;
      } while (nextToken && stacks.length < input.limit && pages < MAX_PAGES);
      const shown = stacks.slice(0, input.limit);
      const more = stacks.length > shown.length || nextToken ? ' (more exist: name a stack)' : '';
      const header = input.stackName
        ? `CloudFormation stack ${input.stackName} (${run.region}):`
        : `CloudFormation stacks in ${run.region}: ${count(shown.length, 'stack')} shown${more}.`;
      if (shown.length === 0) return `${header}\nNone.`;
      return [header, ...shown.flatMap((stack) => stackLines(stack, Boolean(input.stackName)))].join('\n');
    },
  };
  return spec;
}

function stackLines(stack: Stack, withOutputs: boolean): string[] {
  const lines = [
    `- ${stack.StackName ?? '?'}: ${joinParts([
      stack.StackStatus && `${stack.StackStatus}${stack.StackStatusReason ? ` ("${clip(stack.StackStatusReason, 200)}")` : ''}`,
      stack.CreationTime && `created ${utc(stack.CreationTime)}`,
      stack.LastUpdatedTime && `last updated ${utc(stack.LastUpdatedTime)}`,
      stack.DriftInformation?.StackDriftStatus && stack.DriftInformation.StackDriftStatus !== 'NOT_CHECKED' ? `drift ${stack.DriftInformation.StackDriftStatus}` : undefined,
      stack.ParentId ? 'nested' : undefined,
    ])}`,
  ];
  if (withOutputs && stack.Outputs && stack.Outputs.length > 0) {
    const outputs = stack.Outputs.slice(0, MAX_OUTPUTS).map((output) => `${output.OutputKey ?? '?'} = ${clip(output.OutputValue, 160)}`);
    lines.push(`  outputs: ${outputs.join('; ')}${stack.Outputs.length > MAX_OUTPUTS ? `; +${stack.Outputs.length - MAX_OUTPUTS} more` : ''}`);
  }
  return lines;
}

export function cloudformationEventsTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      stackName: STACK_NAME.describe('Stack name or id.'),
      limit: limitField(50, 15, 'events'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_cloudformation_stack_events',
    description:
      "Shows a CloudFormation stack's latest events, newest first (CloudFormation DescribeStackEvents): resource, type, status and reason. Use it to find which resource failed and why in a failed or rolled-back deployment.",
    schema,
    operation: 'cloudformation:DescribeStackEvents',
    reuseSeconds: 20,
    detail: (input) => text(input.stackName),
    async execute(input, run) {
      const cloudformation = run.client(CloudFormationClient);
      const events: StackEvent[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const params = { StackName: input.stackName, ...(nextToken ? { NextToken: nextToken } : {}) };
        const output = await run.call('cloudformation:DescribeStackEvents', params, (abortSignal) => cloudformation.send(new DescribeStackEventsCommand(params), { abortSignal }));
        events.push(...(output.StackEvents ?? []));
        nextToken = output.NextToken;
        pages += 1;
      } while (nextToken && events.length < input.limit && pages < MAX_PAGES);
      const shown = events.sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0)).slice(0, input.limit);
      const header = `Latest events of CloudFormation stack ${input.stackName} (${run.region}), newest first: ${count(shown.length, 'event')}.`;
      if (shown.length === 0) return `${header}\nNone.`;
      return [
        header,
        ...shown.map(
          (event) =>
            `- ${utc(event.Timestamp)} ${joinParts([event.LogicalResourceId, event.ResourceType], ' ')} ${event.ResourceStatus ?? '?'}${
              event.ResourceStatusReason ? ` "${clip(event.ResourceStatusReason, 240)}"` : ''
            }`,
        ),
      ].join('\n');
    },
  };
  return spec;
}
