/**
 * Lambda functions (ListFunctions) and one function's configuration (GetFunctionConfiguration).
 * Both API answers carry environment variable VALUES, which often hold credentials: they are never
 * read here, only the variable names are.
 */
import { GetFunctionConfigurationCommand, LambdaClient, ListFunctionsCommand, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { limitField, regionField, text, type Regions } from './fields.js';
import { clip, count, joinParts, utc } from './format.js';
import type { AwsToolSpec } from './runner.js';

const MAX_PAGES = 5;

export function lambdaFunctionsTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      namePrefix: z.string().min(1).max(140).optional().describe('Only functions whose name starts with this.'),
      limit: limitField(50, 30, 'functions'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_lambda_functions',
    description:
      'Lists Lambda functions in one region (Lambda ListFunctions): runtime, memory, timeout, architecture, last modified. Environment variable values are never shown.',
    schema,
    operation: 'lambda:ListFunctions',
    reuseSeconds: 20,
    detail: (input) => (text(input.namePrefix) ? `prefix ${text(input.namePrefix)}` : undefined),
    async execute(input, run) {
      const lambda = run.client(LambdaClient);
      const found: FunctionConfiguration[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const params = { MaxItems: 50, ...(marker ? { Marker: marker } : {}) };
        const output = await run.call('lambda:ListFunctions', params, (abortSignal) => lambda.send(new ListFunctionsCommand(params), { abortSignal }));
        for (const fn of output.Functions ?? []) if (!input.namePrefix || fn.FunctionName?.startsWith(input.namePrefix)) found.push(fn);
        marker = output.NextMarker;
        pages += 1;
      } while (marker && found.length < input.limit && pages < MAX_PAGES);
      const shown = found.slice(0, input.limit);
      const more = found.length > shown.length || marker ? ' (more exist: use a name prefix)' : '';
      const header = `Lambda functions in ${run.region}${input.namePrefix ? ` starting with "${input.namePrefix}"` : ''}: ${count(shown.length, 'function')} shown${more}.`;
      if (shown.length === 0) return `${header}\nNone.`;
      return [
        header,
        ...shown.map(
          (fn) =>
            `- ${fn.FunctionName ?? '?'}: ${joinParts([
              fn.Runtime ?? fn.PackageType,
              fn.MemorySize !== undefined ? `${fn.MemorySize} MB` : undefined,
              fn.Timeout !== undefined ? `timeout ${fn.Timeout} s` : undefined,
              fn.Architectures?.join('/'),
              fn.State && fn.State !== 'Active' ? `state ${fn.State}` : undefined,
              fn.LastModified && `last modified ${utc(fn.LastModified)}`,
            ])}`,
        ),
      ].join('\n');
    },
  };
  return spec;
}

export function lambdaFunctionTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      functionName: z
        .string()
        .min(1)
        .max(170)
        .regex(/^[\w:.$-]+$/, 'must be a function name, partial ARN or ARN')
        .describe('Function name or ARN.'),
      qualifier: z
        .string()
        .min(1)
        .max(128)
        .regex(/^(?:\$LATEST|[\w-]+)$/, 'must be a version or alias')
        .optional()
        .describe('A version or alias (default $LATEST).'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_lambda_function',
    description:
      "Shows one Lambda function's configuration (Lambda GetFunctionConfiguration): runtime, handler, memory, timeout, state and last update status with reasons, last modified, role, layers, VPC, and the NAMES of its environment variables (values are never read out).",
    schema,
    operation: 'lambda:GetFunctionConfiguration',
    reuseSeconds: 20,
    detail: (input) => text(input.functionName),
    async execute(input, run) {
      const lambda = run.client(LambdaClient);
      const params = { FunctionName: input.functionName, ...(input.qualifier ? { Qualifier: input.qualifier } : {}) };
      const fn = await run.call('lambda:GetFunctionConfiguration', params, (abortSignal) => lambda.send(new GetFunctionConfigurationCommand(params), { abortSignal }));
      return functionDetails(fn, run.region).join('\n');
    },
  };
  return spec;
}

function functionDetails(fn: FunctionConfiguration, region: string): string[] {
  // Only the keys: the values are the function's secrets as often as not.
  const variableNames = Object.keys(fn.Environment?.Variables ?? {}).sort();
  const vpc = fn.VpcConfig?.VpcId ? `${fn.VpcConfig.VpcId} (${count(fn.VpcConfig.SubnetIds?.length ?? 0, 'subnet')}, ${count(fn.VpcConfig.SecurityGroupIds?.length ?? 0, 'security group')})` : undefined;
  return [
    `Lambda function ${fn.FunctionName ?? '?'} (${region}, version ${fn.Version ?? '$LATEST'}):`,
    `- ${joinParts([fn.Runtime ?? fn.PackageType, fn.Handler && `handler ${fn.Handler}`, fn.Architectures?.join('/')])}`,
    `- ${joinParts([
      fn.MemorySize !== undefined ? `memory ${fn.MemorySize} MB` : undefined,
      fn.Timeout !== undefined ? `timeout ${fn.Timeout} s` : undefined,
      fn.EphemeralStorage?.Size !== undefined ? `ephemeral storage ${fn.EphemeralStorage.Size} MB` : undefined,
      fn.CodeSize !== undefined ? `code ${Math.round(fn.CodeSize / 1024)} KB` : undefined,
    ])}`,
    `- state ${fn.State ?? '?'}${fn.StateReason ? ` (${clip(fn.StateReason, 200)}${fn.StateReasonCode ? `, ${fn.StateReasonCode}` : ''})` : ''}; last update ${fn.LastUpdateStatus ?? '?'}${fn.LastUpdateStatusReason ? ` (${clip(fn.LastUpdateStatusReason, 200)})` : ''}`,
    `- last modified ${utc(fn.LastModified)}`,
    fn.Role ? `- role ${fn.Role}` : '',
    fn.Layers && fn.Layers.length > 0 ? `- layers: ${fn.Layers.map((layer) => layerName(layer.Arn)).join(', ')}` : '',
    vpc ? `- VPC ${vpc}` : '',
    variableNames.length > 0
      ? `- environment variables (names only; values are never read out): ${variableNames.join(', ')}`
      : '- no environment variables',
    fn.Environment?.Error?.Message ? `- environment error: ${clip(fn.Environment.Error.Message, 200)}` : '',
  ].filter((line) => line.length > 0);
}

/** `arn:aws:lambda:eu-west-1:123456789012:layer:shared-libs:3` → `shared-libs:3`. */
function layerName(arn: string | undefined): string {
  const parts = (arn ?? '').split(':');
  return parts.length >= 8 ? `${parts[6]}:${parts[7]}` : (arn ?? '?');
}
