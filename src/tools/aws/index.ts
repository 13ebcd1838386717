/**
 * Read-only tools over a team's own AWS account, for the model loop (src/model/tools.ts). Every
 * tool only reads (src/tools/aws/operations.ts lists every operation; a test holds the IAM policy
 * deploy/iam-readonly-policy.json to the same list), validates its input, stays within a time
 * limit, never throws, logs an audit line per AWS call, and returns compact text with secrets
 * masked. Lambda environment variable values are never read out.
 *
 * The SDK clients resolve their endpoint the standard way, so AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_COST_EXPLORER) redirect them (see test/fakes/aws.md).
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { z } from 'zod';
import type { Tool, ToolInputSchema, ToolOutcome } from '../../model/tools.js';
import type { Logger } from '../../ops/logger.js';
import { cloudformationEventsTool, cloudformationStacksTool } from './cloudformation.js';
import { cloudwatchAlarmsTool, cloudwatchMetricTool } from './cloudwatch.js';
import { costByServiceTool } from './cost.js';
import { AwsCredentialBroker, type AwsCredentialsProvider } from './credentials.js';
import { ec2InstancesTool } from './ec2.js';
import { ecsClustersTool, ecsServicesTool, ecsTasksTool } from './ecs.js';
import type { Regions } from './fields.js';
import { identityTool } from './identity.js';
import { lambdaFunctionTool, lambdaFunctionsTool } from './lambda.js';
import { logsSearchTool } from './logs.js';
import { rdsInstancesTool } from './rds.js';
import { describeStep, runAwsTool, type AwsBeforeCall, type AwsToolSpec, type RunnerDeps } from './runner.js';
import { s3BucketsTool } from './s3.js';
import { isAwsRegionName } from '../../core/aws-names.js';

const AWS_DEFAULTS = {
  callTimeoutMs: 15_000,
  maxResultTokens: 2_500,
  maxAttempts: 3,
} as const;

export interface AwsAccountToolsOptions {
  /** Regions the tools may read; the first is the default. */
  regions: readonly string[];
  /** Assumed through STS for every call, with a session name per asking person. */
  roleArn?: string;
  /** Time limit of one tool run, credentials and retries included (default 15 s). */
  callTimeoutMs?: number;
  /** Estimated tokens a result may take (default 2,500); longer results lose their last lines. */
  maxResultTokens?: number;
  /** Attempts per AWS request, the first included (default 3); throttling and 5xx are retried with backoff. */
  maxAttempts?: number;
  /** Receives one `audit: "aws_account_call"` line per AWS call. */
  logger: Logger;
  /** Per-person guard, asked before a tool makes any call. */
  beforeCall?: AwsBeforeCall;
  /** The bot's own credentials (default: the SDK's default provider chain). */
  credentials?: AwsCredentialsProvider;
  now?: () => Date;
}

export function createAwsAccountTools(options: AwsAccountToolsOptions): Tool[] {
  const regions = validRegions(options.regions);
  const callTimeoutMs = options.callTimeoutMs ?? AWS_DEFAULTS.callTimeoutMs;
  const maxAttempts = options.maxAttempts ?? AWS_DEFAULTS.maxAttempts;
  const broker = new AwsCredentialBroker({
    ...(options.roleArn ? { roleArn: options.roleArn } : {}),
    base: options.credentials ?? fromNodeProviderChain(),
    stsRegion: regions[0],
    timeoutMs: callTimeoutMs,
    maxAttempts,
    onAssumeRole: (notice) =>
      options.logger.info(
        { audit: 'aws_assume_role', roleArn: notice.roleArn, roleSessionName: notice.sessionName, requestId: notice.requestId, outcome: notice.outcome, error: notice.error },
        'AWS role assumed for an account call',
      ),
  });
  const deps: RunnerDeps = {
    regions,
    broker,
    logger: options.logger,
    beforeCall: options.beforeCall,
    callTimeoutMs,
    maxResultTokens: options.maxResultTokens ?? AWS_DEFAULTS.maxResultTokens,
    maxAttempts,
    now: options.now ?? (() => new Date()),
  };
  const specs: AwsToolSpec<{ region?: string }>[] = [
    identityTool(regions),
    ec2InstancesTool(regions),
    ecsClustersTool(regions),
    ecsServicesTool(regions),
    ecsTasksTool(regions),
    lambdaFunctionsTool(regions),
    lambdaFunctionTool(regions),
    cloudwatchAlarmsTool(regions),
    cloudwatchMetricTool(regions),
    logsSearchTool(regions),
    cloudformationStacksTool(regions),
    cloudformationEventsTool(regions),
    rdsInstancesTool(regions),
    s3BucketsTool(regions),
    costByServiceTool(),
  ] as AwsToolSpec<{ region?: string }>[];
  return specs.map((spec) => toTool(spec, deps));
}

function toTool(spec: AwsToolSpec<{ region?: string }>, deps: RunnerDeps): Tool {
  return {
    definition: { name: spec.name, description: spec.description, inputSchema: inputSchemaOf(spec.schema) },
    describe: (input) => describeStep(spec, input, deps.regions[0] ?? ''),
    run: (input, context) =>
      runAwsTool(spec, input, context, deps).catch((error: unknown): ToolOutcome => {
        // runAwsTool turns failures into outcomes itself; this is the last guard of the contract.
        deps.logger.error({ err: error, tool: spec.name }, 'AWS account tool failed unexpectedly');
        return { text: `The ${spec.name} tool failed unexpectedly; answer without it.`, isError: true, sources: [] };
      }),
    reuseSeconds: spec.reuseSeconds,
    actsForAsker: true,
  };
}

function inputSchemaOf(schema: z.ZodType): ToolInputSchema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return { ...jsonSchema, type: 'object' };
}

function validRegions(regions: readonly string[]): Regions {
  const invalid = regions.filter((region) => !isAwsRegionName(region));
  if (regions.length === 0 || invalid.length > 0) {
    throw new Error(`createAwsAccountTools needs at least one valid region${invalid.length > 0 ? ` (not regions: ${invalid.join(', ')})` : ''}`);
  }
  return [...new Set(regions)] as unknown as Regions;
}
