/**
 * The account tools against the AWS fake through the real SDK clients: the clients find the fake
 * through AWS_ENDPOINT_URL and sign with keys from the environment, exactly as in production
 * with the SDK's default chain. No bot process is needed.
 */
import { ClusterNotFoundException, ECSClient, ListServicesCommand } from '@aws-sdk/client-ecs';
import { GetFunctionConfigurationCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { DBInstanceNotFoundFault, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Tool, ToolAsker, ToolOutcome } from '../../src/model/tools.js';
import { createAwsAccountTools, type AwsAccountToolsOptions } from '../../src/tools/aws/index.js';
import { LAMBDA_SECRET_VALUE, startFakeAws, type FakeAws } from '../fakes/aws.js';
import { waitFor } from '../fakes/util.js';

const REGIONS = ['eu-west-1', 'us-east-1'];
const ALICE: ToolAsker = { teamId: 'T0TEAM', channel: 'C0OPS', userId: 'U0ALICE' };
const BOB: ToolAsker = { teamId: 'T0TEAM', channel: 'C0OPS', userId: 'U0BOB' };
const ROLE_ARN = 'arn:aws:iam::123456789012:role/aws-orchestrator-readonly';

let fake: FakeAws;
const savedEnv = { ...process.env };

beforeAll(async () => {
  fake = await startFakeAws({ pageSize: { logs: 2 } });
  // Only the fake's keys and endpoint: nothing from the machine's own AWS setup may leak in.
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, fake.env, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-orchestrator-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-orchestrator-test/credentials',
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await fake?.close();
});

afterEach(() => fake.reset());

interface Harness {
  tools: Tool[];
  /** Every log line, as written. */
  raw: string[];
  lines: Record<string, unknown>[];
  audit: () => Record<string, unknown>[];
  run: (name: string, input: Record<string, unknown>, options?: { asker?: ToolAsker; signal?: AbortSignal }) => Promise<ToolOutcome>;
}

function harness(options: Partial<AwsAccountToolsOptions> = {}): Harness {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void (raw.push(line), lines.push(JSON.parse(line) as Record<string, unknown>)) });
  const tools = createAwsAccountTools({ regions: REGIONS, logger, ...options });
  return {
    tools,
    raw,
    lines,
    audit: () => lines.filter((line) => line.audit === 'aws_account_call'),
    run: (name, input, runOptions = {}) => {
      const tool = tools.find((candidate) => candidate.definition.name === name);
      if (!tool) throw new Error(`no tool ${name}`);
      return tool.run(input, { signal: runOptions.signal ?? new AbortController().signal, asker: runOptions.asker ?? ALICE });
    },
  };
}

const bot = harness();

describe('each tool reads the account', () => {
  it('offers fifteen tools with valid names and object schemas', () => {
    expect(bot.tools.map((tool) => tool.definition.name)).toEqual([
      'aws_whoami',
      'aws_ec2_instances',
      'aws_ecs_clusters',
      'aws_ecs_services',
      'aws_ecs_tasks',
      'aws_lambda_functions',
      'aws_lambda_function',
      'aws_cloudwatch_alarms',
      'aws_cloudwatch_metric',
      'aws_logs_search',
      'aws_cloudformation_stacks',
      'aws_cloudformation_stack_events',
      'aws_rds_instances',
      'aws_s3_buckets',
      'aws_cost_by_service',
    ]);
    for (const { definition } of bot.tools) {
      expect(definition.name).toMatch(/^[\w-]{1,64}$/);
      expect(definition.inputSchema.type).toBe('object');
      expect(definition.inputSchema).not.toHaveProperty('$schema');
    }
    const ec2 = bot.tools[1]!.definition.inputSchema;
    expect(ec2.properties?.region).toMatchObject({ enum: REGIONS, default: 'eu-west-1' });
    expect(ec2.additionalProperties).toBe(false);
  });

  it('describes the step a person sees', () => {
    const step = (name: string, input: Record<string, unknown>) => bot.tools.find((tool) => tool.definition.name === name)!.describe(input);
    expect(step('aws_ecs_services', { cluster: 'prod' })).toBe('ECS DescribeServices · eu-west-1 · cluster prod');
    expect(step('aws_logs_search', { region: 'us-east-1', logGroupName: '/ecs/api', filterPattern: 'ERROR' })).toBe('CloudWatch Logs FilterLogEvents · us-east-1 · /ecs/api · "ERROR"');
    expect(step('aws_cost_by_service', {})).toBe('Cost Explorer GetCostAndUsage · us-east-1');
    expect(step('aws_whoami', {})).toBe('STS GetCallerIdentity · eu-west-1');
  });

  it('aws_whoami: the account and identity', async () => {
    const outcome = await bot.run('aws_whoami', {});
    expect(outcome.isError).toBe(false);
    expect(outcome.text).toContain(`account ${fake.account.accountId}`);
    expect(outcome.text).toContain(fake.account.callerArn);
    expect(fake.callsTo('sts:GetCallerIdentity').at(-1)).toMatchObject({ protocol: 'query', region: 'eu-west-1', status: 200 });
  });

  it('aws_ec2_instances: all, filtered by state and Name, and by id', async () => {
    const all = await bot.run('aws_ec2_instances', {});
    expect(all.text.split('\n')).toEqual([
      'EC2 instances in eu-west-1: 3 instances shown.',
      expect.stringMatching(/^- i-0a1b2c3d4e5f60001 "web-1": running, t3\.small, eu-west-1a, private 10\.0\.1\.11, public 34\.240\.1\.11, launched /),
      expect.stringMatching(/^- i-0a1b2c3d4e5f60002 "web-2": running/),
      expect.stringMatching(/^- i-0a1b2c3d4e5f60003 "batch-worker": stopped \(Client\.UserInitiatedShutdown: User initiated shutdown\), c6i\.large/),
    ]);

    const filtered = await bot.run('aws_ec2_instances', { region: 'us-east-1', state: 'running', name: 'web-*' });
    expect(filtered.text).toMatch(/^EC2 instances in us-east-1 \(state running, Name web-\*\): 2 instances shown\./);
    expect(fake.callsTo('ec2:DescribeInstances').at(-1)).toMatchObject({
      protocol: 'ec2',
      region: 'us-east-1',
      params: { 'Filter.1.Name': 'instance-state-name', 'Filter.1.Value.1': 'running', 'Filter.2.Name': 'tag:Name', 'Filter.2.Value.1': 'web-*', MaxResults: '20' },
    });

    const byId = await bot.run('aws_ec2_instances', { instanceIds: ['i-0a1b2c3d4e5f60003'] });
    expect(byId.text).toContain('1 instance shown');
    expect(fake.callsTo('ec2:DescribeInstances').at(-1)?.params).toEqual({ Action: 'DescribeInstances', Version: '2016-11-15', 'InstanceId.1': 'i-0a1b2c3d4e5f60003' });
  });

  it('aws_ec2_instances: follows the account as a test edits it, pages bounded by the limit', async () => {
    const extra = Array.from({ length: 12 }, (_, index) => ({
      id: `i-0ffffffffffff${String(index).padStart(4, '0')}`,
      name: `extra-${index}`,
      state: 'running' as const,
      type: 't3.micro',
      az: 'eu-west-1c',
      launchTime: new Date(),
    }));
    fake.account.instances.push(...extra);
    try {
      const before = fake.callsTo('ec2:DescribeInstances').length;
      const outcome = await bot.run('aws_ec2_instances', { limit: 5 });
      expect(outcome.text).toMatch(/^EC2 instances in eu-west-1: 5 instances shown \(more exist/);
      expect(fake.callsTo('ec2:DescribeInstances').length - before).toBe(1);
      const everything = await bot.run('aws_ec2_instances', { limit: 50 });
      expect(everything.text).toContain('15 instances shown.');
      expect(everything.text).toContain('"extra-11"');
    } finally {
      fake.account.instances.splice(-extra.length);
    }
  });

  it('aws_ecs_clusters: clusters with their counts', async () => {
    const outcome = await bot.run('aws_ecs_clusters', {});
    expect(outcome.text.split('\n')).toEqual([
      'ECS clusters in eu-west-1: 2 clusters.',
      '- prod: ACTIVE, 2 active services, 3 running / 0 pending tasks',
      '- staging: ACTIVE, 0 active services, 0 running / 0 pending tasks',
    ]);
    expect(fake.callsTo('ecs:DescribeClusters').at(-1)?.params).toEqual({ clusters: [expect.stringMatching(/:cluster\/prod$/), expect.stringMatching(/:cluster\/staging$/)] });
  });

  it("aws_ecs_services: lists the cluster's services, then describes counts, deployments and the latest events", async () => {
    const listed = fake.callsTo('ecs:ListServices').length;
    const outcome = await bot.run('aws_ecs_services', { cluster: 'prod' });
    expect(fake.callsTo('ecs:ListServices')).toHaveLength(listed + 1);
    const lines = outcome.text.split('\n');
    expect(lines[0]).toBe('ECS services in cluster prod (eu-west-1): 2 services.');
    expect(lines[1]).toBe('- api: ACTIVE, desired 3, running 2, pending 1, FARGATE, task definition api:42');
    expect(lines[2]).toMatch(/^ {2}deployments: PRIMARY api:42 IN_PROGRESS \(ECS deployment .* in progress\.\) desired 3\/running 2\/pending 1\/failed 2 updated .*; ACTIVE api:41 COMPLETED/);
    const apiEvents = lines.slice(4, lines.indexOf(lines.find((line) => line.startsWith('- worker'))!));
    expect(apiEvents).toHaveLength(5);
    expect(apiEvents[0]).toContain('has started 1 tasks');
    expect(apiEvents[1]).toContain('failed container health checks');
    expect(outcome.text).toContain('- worker: ACTIVE, desired 1, running 1, pending 0');
  });

  it('aws_ecs_services: named services, unknown ones reported as missing', async () => {
    const listed = fake.callsTo('ecs:ListServices').length;
    const outcome = await bot.run('aws_ecs_services', { cluster: 'prod', services: ['worker', 'ghost'], events: 0 });
    expect(fake.callsTo('ecs:ListServices')).toHaveLength(listed);
    expect(outcome.text).toContain('- worker: ACTIVE');
    expect(outcome.text).toContain('- ghost: MISSING');
    expect(outcome.text).not.toContain('latest events');
  });

  it('aws_ecs_tasks: stopped tasks with stop code, reason and exit codes', async () => {
    const outcome = await bot.run('aws_ecs_tasks', { cluster: 'prod', serviceName: 'api', desiredStatus: 'STOPPED' });
    expect(outcome.text.split('\n')).toEqual([
      'ECS stopped tasks in cluster prod, service api (eu-west-1): 1 task.',
      expect.stringMatching(
        /^- task 3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c: STOPPED \(desired STOPPED\), api:42, service:api, FARGATE, health UNHEALTHY, started .*, stopped .*, stop code EssentialContainerExited, reason "Essential container in task exited"; containers: app STOPPED exit 137 health UNHEALTHY "OutOfMemoryError: Container killed due to memory usage"$/,
      ),
    ]);
    const running = await bot.run('aws_ecs_tasks', { cluster: 'prod' });
    expect(running.text).toMatch(/^ECS running tasks in cluster prod \(eu-west-1\): 3 tasks\./);
  });

  it('aws_lambda_functions and aws_lambda_function: configuration without environment values', async () => {
    const list = await bot.run('aws_lambda_functions', {});
    expect(list.text.split('\n')).toEqual([
      'Lambda functions in eu-west-1: 2 functions shown.',
      expect.stringMatching(/^- orders-handler: nodejs22\.x, 512 MB, timeout 30 s, arm64, last modified \d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
      expect.stringMatching(/^- thumbnailer: python3\.13, 1024 MB, timeout 60 s, x86_64/),
    ]);
    const one = await bot.run('aws_lambda_function', { functionName: 'orders-handler' });
    expect(one.isError).toBe(false);
    expect(one.text).toContain('- environment variables (names only; values are never read out): LOG_LEVEL, TABLE_NAME, UPSTREAM_CREDENTIAL');
    expect(one.text).toContain('- state Active; last update Successful');
    expect(one.text).toContain('- layers: shared-libs:3');
    expect(fake.callsTo('lambda:GetFunctionConfiguration').at(-1)).toMatchObject({ protocol: 'rest-json', params: { FunctionName: 'orders-handler' } });
  });

  it('aws_cloudwatch_alarms: alarms by state, newest change first', async () => {
    const firing = await bot.run('aws_cloudwatch_alarms', { state: 'ALARM' });
    expect(firing.text.split('\n')).toEqual([
      'CloudWatch alarms in eu-west-1 (state ALARM): 1 alarm shown, most recently changed first.',
      expect.stringMatching(
        /^- api-5xx-high: ALARM since .* UTC; watches AWS\/ApplicationELB HTTPCode_Target_5XX_Count \{LoadBalancer=app\/prod-alb\/50dc6c495c0c9188\} Sum GreaterThanThreshold 10 1×300 s; reason "Threshold Crossed/,
      ),
    ]);
    expect(fake.callsTo('cloudwatch:DescribeAlarms').at(-1)).toMatchObject({ protocol: 'json1.0', params: { StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] } });
    const all = await bot.run('aws_cloudwatch_alarms', {});
    expect(all.text.split('\n').slice(1).map((line) => line.split(':')[0])).toEqual(['- api-5xx-high', '- orders-errors', '- web-cpu-high']);
  });

  it('aws_cloudwatch_metric: statistics per period over the window', async () => {
    const outcome = await bot.run('aws_cloudwatch_metric', {
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: [{ name: 'InstanceId', value: 'i-0a1b2c3d4e5f60001' }],
      windowMinutes: 60,
    });
    const lines = outcome.text.split('\n');
    expect(lines[0]).toMatch(/^CloudWatch AWS\/EC2 CPUUtilization \{InstanceId=i-0a1b2c3d4e5f60001\} in eu-west-1, .* UTC to .* UTC, period 300 s, unit Percent: 12 datapoints\.$/);
    expect(lines).toHaveLength(13);
    expect(lines[1]).toMatch(/: avg 20, max 20$/);
    expect(lines[12]).toMatch(/: avg 80, max 80$/);
    const params = fake.callsTo('cloudwatch:GetMetricStatistics').at(-1)?.params as { StartTime: number; EndTime: number; Period: number };
    expect(params.EndTime - params.StartTime).toBe(3600);
    expect(params.Period).toBe(300);

    const nothing = await bot.run('aws_cloudwatch_metric', { namespace: 'AWS/EC2', metricName: 'CPUUtilization', windowMinutes: 60 });
    expect(nothing.text).toContain('0 datapoints');
    expect(nothing.text).toContain('every dimension must match exactly');
  });

  it('aws_logs_search: matching events in the window, pages followed, secrets masked', async () => {
    const before = fake.callsTo('logs:FilterLogEvents').length;
    const outcome = await bot.run('aws_logs_search', { logGroupName: '/aws/lambda/orders-handler', minutes: 60 });
    const lines = outcome.text.split('\n');
    expect(lines[0]).toMatch(/^Log events in \/aws\/lambda\/orders-handler \(eu-west-1\), .* to .*: 5 events\.$/);
    expect(lines.slice(1).map((line) => line.replace(/^- \S+ \S+ /, ''))).toEqual([
      '[2026/11/30/[$LATEST]a1b2c3] START RequestId: 6d0a Version: $LATEST',
      '[2026/11/30/[$LATEST]a1b2c3] INFO order 1001 stored',
      '[2026/11/30/[$LATEST]a1b2c3] ERROR ConditionalCheckFailedException: order 1002 already exists',
      '[2026/11/30/[$LATEST]d4e5f6] ERROR upstream refused: config dump aws_secret_access_key=[REDACTED:aws_secret_access_key]',
      '[2026/11/30/[$LATEST]d4e5f6] Task timed out after 30.03 seconds',
    ]);
    // The fake pages two events at a time: three pages, each after the previous one's token.
    const pages = fake.callsTo('logs:FilterLogEvents').slice(before);
    expect(pages).toHaveLength(3);
    expect(pages[0]?.params).not.toHaveProperty('nextToken');
    expect(pages[1]?.params).toHaveProperty('nextToken');
    expect(pages.map((call) => (call.params as { limit: number }).limit)).toEqual([50, 48, 46]);

    const bounded = await bot.run('aws_logs_search', { logGroupName: '/aws/lambda/orders-handler', minutes: 60, limit: 3 });
    expect(bounded.text).toMatch(/: 3 events \(more may exist/);

    const errors = await bot.run('aws_logs_search', { logGroupName: '/aws/lambda/orders-handler', filterPattern: 'ERROR', minutes: 60 });
    expect(errors.text).toContain(': 2 events.');
    expect(errors.text).not.toContain('yesterday');
  });

  it('aws_cloudformation_stacks and aws_cloudformation_stack_events: status, outputs, the failed resource', async () => {
    const all = await bot.run('aws_cloudformation_stacks', {});
    expect(all.text).toMatch(/^CloudFormation stacks in eu-west-1: 2 stacks shown\.\n- orders-stack: UPDATE_ROLLBACK_COMPLETE, created .*, last updated .*\n- network-stack: CREATE_COMPLETE/);
    const one = await bot.run('aws_cloudformation_stacks', { stackName: 'orders-stack' });
    expect(one.text).toContain('  outputs: ApiUrl = https://abc123.execute-api.eu-west-1.amazonaws.com/prod');
    const events = await bot.run('aws_cloudformation_stack_events', { stackName: 'orders-stack', limit: 4 });
    const lines = events.text.split('\n');
    expect(lines[0]).toBe('Latest events of CloudFormation stack orders-stack (eu-west-1), newest first: 4 events.');
    expect(lines[1]).toMatch(/ orders-stack AWS::CloudFormation::Stack UPDATE_ROLLBACK_COMPLETE$/);
    expect(lines[4]).toMatch(/ OrdersQueue AWS::SQS::Queue UPDATE_FAILED "Resource handler returned message: "Invalid value for the parameter VisibilityTimeout\./);
  });

  it('aws_rds_instances: engine, class, status and endpoint', async () => {
    const outcome = await bot.run('aws_rds_instances', {});
    expect(outcome.text).toMatch(
      /^RDS DB instances in eu-west-1: 1 instance shown\.\n- orders-db: available, postgres 16\.4, db\.t4g\.medium, Multi-AZ, 100 GB gp3, endpoint orders-db\.c9akciq32\.eu-west-1\.rds\.amazonaws\.com:5432, eu-west-1a/,
    );
    expect(fake.callsTo('rds:DescribeDBInstances').at(-1)?.params).toMatchObject({ MaxRecords: '20' });
  });

  it('aws_s3_buckets: every bucket, or those of one region', async () => {
    const all = await bot.run('aws_s3_buckets', {});
    expect(all.text.split('\n').slice(1).map((line) => line.split(':')[0])).toEqual(['- acme-app-logs', '- acme-assets', '- acme-backups']);
    const ireland = await bot.run('aws_s3_buckets', { region: 'eu-west-1' });
    expect(ireland.text).toMatch(/^S3 buckets in eu-west-1: 2 buckets shown\./);
    expect(fake.callsTo('s3:ListBuckets').at(-1)).toMatchObject({ protocol: 'rest-xml', params: { 'bucket-region': 'eu-west-1', 'x-id': 'ListBuckets' } });
  });

  it('aws_cost_by_service: cost per service and period, from the one Cost Explorer endpoint', async () => {
    // The fake holds the last 120 days of costs, whatever today is.
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const [start, second, third, end] = [day(10), day(9), day(8), day(7)];
    const daily = await bot.run('aws_cost_by_service', { start, end, granularity: 'DAILY' }, { asker: BOB });
    expect(daily.text.split('\n')).toEqual([
      `AWS cost by service (unblended), ${start} to ${end} (end excluded), daily: 3 periods.`,
      `- ${start}: total $19.87; Amazon Elastic Compute Cloud - Compute $12.50; Amazon Elastic Container Service $4.25; Amazon Relational Database Service $3.10; AWS Lambda $0.02`,
      `- ${second}: total $19.87; Amazon Elastic Compute Cloud - Compute $12.50; Amazon Elastic Container Service $4.25; Amazon Relational Database Service $3.10; AWS Lambda $0.02`,
      `- ${third}: total $19.87; Amazon Elastic Compute Cloud - Compute $12.50; Amazon Elastic Container Service $4.25; Amazon Relational Database Service $3.10; AWS Lambda $0.02`,
    ]);
    expect(fake.callsTo('ce:GetCostAndUsage').at(-1)).toMatchObject({
      protocol: 'json1.1',
      region: 'us-east-1',
      params: { TimePeriod: { Start: start, End: end }, Granularity: 'DAILY', Metrics: ['UnblendedCost'], GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }] },
    });

    const now = new Date();
    const monthStart = (monthsAgo: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1)).toISOString().slice(0, 10);
    const topTwo = await bot.run('aws_cost_by_service', { start: monthStart(2), end: monthStart(0), topServices: 2 });
    expect(topTwo.text.split('\n').slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^- ${monthStart(2)} to ${monthStart(1)}: total \\$\\d+\\.\\d\\d; Amazon Elastic Compute Cloud - Compute \\$\\d+\\.\\d\\d; Amazon Elastic Container Service \\$\\d+\\.\\d\\d; other services \\$\\d+\\.\\d\\d$`),
      ),
      expect.stringMatching(new RegExp(`^- ${monthStart(1)} to ${monthStart(0)}: total `)),
    ]);
  });
});

describe('audit', () => {
  it('writes one line per AWS call: who, where, what, the request id and the outcome', async () => {
    const audited = harness();
    const outcome = await audited.run('aws_ecs_services', { cluster: 'prod', region: 'us-east-1' }, { asker: BOB });
    const [list, describeCall] = fake.calls.slice(-2);
    expect(audited.audit()).toEqual([
      expect.objectContaining({
        teamId: 'T0TEAM',
        userId: 'U0BOB',
        channel: 'C0OPS',
        tool: 'aws_ecs_services',
        operation: 'ecs:ListServices',
        region: 'us-east-1',
        params: { cluster: 'prod', maxResults: 10 },
        requestId: list?.requestId,
        outcome: 'ok',
        attempts: 1,
      }),
      expect.objectContaining({ operation: 'ecs:DescribeServices', params: { cluster: 'prod', services: [expect.stringMatching(/:service\/prod\/api$/), expect.stringMatching(/:service\/prod\/worker$/)] }, requestId: describeCall?.requestId, outcome: 'ok' }),
    ]);
    expect(outcome.log).toMatchObject({ tool: 'aws_ecs_services', region: 'us-east-1', awsRequestIds: [list?.requestId, describeCall?.requestId] });
  });

  it('masks secrets in the parameters it records', async () => {
    const audited = harness();
    await audited.run('aws_logs_search', { logGroupName: '/aws/lambda/orders-handler', filterPattern: '"aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"' });
    expect(audited.audit()).toHaveLength(1);
    expect(audited.raw.join('')).not.toContain('wJalrXUtnFEMI');
    expect(audited.audit()[0]?.params).toMatchObject({ filterPattern: '"aws_secret_access_key=[REDACTED:aws_secret_access_key]"' });
  });
});

describe('a Lambda environment variable holding a secret', () => {
  it('crosses the wire, yet never reaches a tool result or a log line', async () => {
    // The fake answers as AWS does, values included: a plain client sees the secret.
    const lambda = new LambdaClient({ region: 'eu-west-1' });
    const raw = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders-handler' }));
    lambda.destroy();
    expect(raw.Environment?.Variables?.UPSTREAM_CREDENTIAL).toBe(LAMBDA_SECRET_VALUE);

    const watched = harness();
    const outcomes = [
      await watched.run('aws_lambda_function', { functionName: 'orders-handler' }),
      await watched.run('aws_lambda_functions', {}),
      await watched.run('aws_lambda_function', { functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-handler' }),
    ];
    for (const outcome of outcomes) {
      expect(outcome.isError).toBe(false);
      expect(outcome.text).not.toContain(LAMBDA_SECRET_VALUE);
      expect(JSON.stringify(outcome.log)).not.toContain(LAMBDA_SECRET_VALUE);
    }
    expect(outcomes[0]?.text).toContain('UPSTREAM_CREDENTIAL');
    expect(watched.audit()).toHaveLength(3);
    expect(watched.raw.join('')).not.toContain(LAMBDA_SECRET_VALUE);
    // Nor any distinctive piece of it, as a masked-but-partial leak would show.
    expect(watched.raw.join('')).not.toContain(LAMBDA_SECRET_VALUE.slice(0, 12));
  });
});

describe('refused before any call', () => {
  it('a region outside the allowed ones', async () => {
    const watched = harness();
    const before = fake.calls.length;
    const outcome = await watched.run('aws_ec2_instances', { region: 'ap-south-1' });
    expect(outcome).toMatchObject({ isError: true, text: 'Region "ap-south-1" is not one I may read. Allowed regions: eu-west-1, us-east-1.' });
    expect(fake.calls.length).toBe(before);
    expect(watched.audit()).toEqual([expect.objectContaining({ outcome: 'rejected', error: 'RegionNotAllowed', region: 'ap-south-1', userId: 'U0ALICE' })]);
  });

  it('invalid input, a log window beyond 24 hours, a cost range beyond 93 days', async () => {
    const before = fake.calls.length;
    const badId = await bot.run('aws_ec2_instances', { instanceIds: ['web-1'] });
    expect(badId.isError).toBe(true);
    expect(badId.text).toContain('instanceIds.0: must be an instance id');
    const extra = await bot.run('aws_ecs_clusters', { clusterArn: 'x' });
    expect(extra.text).toContain('Unrecognized key');
    const oldLogs = await bot.run('aws_logs_search', { logGroupName: '/ecs/api', minutes: 60, endMinutesAgo: 1400 });
    expect(oldLogs.isError).toBe(true);
    expect(oldLogs.text).toContain('within the last 24 hours');
    const longRange = await bot.run('aws_cost_by_service', { start: '2026-01-01', end: '2026-06-01' });
    expect(longRange).toMatchObject({ isError: true, text: 'The range 2026-01-01 to 2026-06-01 is 151 days; at most 93 days can be read at once.' });
    expect(fake.calls.length).toBe(before);
  });

  it('the per-person hook, and a hook that fails', async () => {
    const asked: unknown[] = [];
    const guarded = harness({
      beforeCall: (asker, request) => {
        asked.push({ asker, request });
        return asker.userId === 'U0BOB' ? 'You have made 20 account calls in the last minute; try again in a moment.' : undefined;
      },
    });
    const before = fake.calls.length;
    const refused = await guarded.run('aws_rds_instances', { region: 'us-east-1' }, { asker: BOB });
    expect(refused).toMatchObject({ isError: true, text: 'You have made 20 account calls in the last minute; try again in a moment.' });
    expect(fake.calls.length).toBe(before);
    expect(asked).toEqual([{ asker: BOB, request: { tool: 'aws_rds_instances', operation: 'rds:DescribeDBInstances', region: 'us-east-1' } }]);
    expect(guarded.audit()).toEqual([expect.objectContaining({ outcome: 'refused', userId: 'U0BOB' })]);
    const allowed = await guarded.run('aws_rds_instances', {});
    expect(allowed.isError).toBe(false);

    const broken = harness({ beforeCall: () => Promise.reject(new Error('redis down')) });
    const failed = await broken.run('aws_rds_instances', {});
    expect(failed.isError).toBe(true);
    expect(failed.text).toContain('could not check the limit');
    expect(fake.calls.length).toBe(before + 1);
  });
});

describe('failures become explained outcomes', () => {
  it.each([
    ['aws_cost_by_service', {}, 'ce:GetCostAndUsage', "I'm not allowed to read Cost Explorer in this account (ce:GetCostAndUsage)."],
    ['aws_ecs_clusters', {}, 'ecs:ListClusters', "I'm not allowed to read ECS in this account (ecs:ListClusters)."],
    ['aws_ec2_instances', {}, 'ec2:DescribeInstances', "I'm not allowed to read EC2 in this account (ec2:DescribeInstances)."],
    ['aws_cloudwatch_alarms', {}, 'cloudwatch:DescribeAlarms', "I'm not allowed to read CloudWatch in this account (cloudwatch:DescribeAlarms)."],
    ['aws_lambda_functions', {}, 'lambda:ListFunctions', "I'm not allowed to read Lambda in this account (lambda:ListFunctions)."],
    ['aws_s3_buckets', {}, 's3:ListBuckets', "I'm not allowed to read S3 in this account (s3:ListAllMyBuckets)."],
    ['aws_rds_instances', {}, 'rds:DescribeDBInstances', "I'm not allowed to read RDS in this account (rds:DescribeDBInstances)."],
  ])('%s denied: says which permission is missing, asks once', async (name, input, operation, sentence) => {
    fake.deny(operation);
    const watched = harness();
    const outcome = await watched.run(name, input);
    expect(outcome.isError).toBe(true);
    expect(outcome.text.startsWith(sentence)).toBe(true);
    const denied = fake.calls.filter((call) => call.operation === operation && call.status >= 400);
    expect(denied).toHaveLength(1);
    expect(outcome.log).toMatchObject({ failure: 'access_denied', awsRequestIds: [denied[0]?.requestId] });
    expect(watched.audit()).toEqual([expect.objectContaining({ operation, outcome: 'error', requestId: denied[0]?.requestId, attempts: 1 })]);
  });

  it('throttling: the SDK retries within its bound, then a clear error', async () => {
    fake.throttle('ecs:ListClusters');
    const watched = harness({ maxAttempts: 2 });
    const before = fake.callsTo('ecs:ListClusters').length;
    const outcome = await watched.run('aws_ecs_clusters', {});
    expect(outcome).toMatchObject({ isError: true, text: 'AWS is throttling ECS ListClusters calls in eu-west-1 (ThrottlingException); I gave up after 2 attempts. Try again in a minute.' });
    expect(fake.callsTo('ecs:ListClusters').length - before).toBe(2);
  });

  it('throttled once: the retry succeeds', async () => {
    fake.throttle('cloudformation:DescribeStacks', 1);
    const before = fake.callsTo('cloudformation:DescribeStacks').length;
    const outcome = await harness({ maxAttempts: 2 }).run('aws_cloudformation_stacks', {});
    expect(outcome.isError).toBe(false);
    expect(fake.callsTo('cloudformation:DescribeStacks').slice(before).map((call) => call.status)).toEqual([400, 200]);
  });

  it('not found: the unknown resource named', async () => {
    const cluster = await bot.run('aws_ecs_tasks', { cluster: 'nope' });
    expect(cluster).toMatchObject({ isError: true, text: 'ECS ListTasks in eu-west-1: not found (ClusterNotFoundException). AWS said: "Cluster not found."' });
    const fn = await bot.run('aws_lambda_function', { functionName: 'ghost' });
    expect(fn.text).toMatch(/^Lambda GetFunctionConfiguration in eu-west-1: not found \(ResourceNotFoundException\)\. AWS said: "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:ghost"$/);
    const stack = await bot.run('aws_cloudformation_stack_events', { stackName: 'ghost-stack' });
    expect(stack.text).toBe('CloudFormation rejected the request (ValidationError). AWS said: "Stack with id ghost-stack does not exist"');
  });

  it('a call that does not answer ends at the time limit', async () => {
    fake.hang('rds:DescribeDBInstances');
    const before = fake.callsTo('rds:DescribeDBInstances').length;
    const outcome = await harness({ callTimeoutMs: 500 }).run('aws_rds_instances', {});
    expect(outcome.isError).toBe(true);
    expect(outcome.log?.failure).toBe('timeout');
    expect(outcome.text).toMatch(/^RDS DescribeDBInstances did not answer within 0\.5 s in eu-west-1/);
    expect(fake.callsTo('rds:DescribeDBInstances').length - before).toBeGreaterThanOrEqual(1);
  });

  it('Stop ends the call at once', async () => {
    fake.hang('cloudformation:DescribeStackEvents');
    const before = fake.callsTo('cloudformation:DescribeStackEvents').length;
    const stop = new AbortController();
    const running = harness().run('aws_cloudformation_stack_events', { stackName: 'orders-stack' }, { signal: stop.signal });
    await waitFor(() => fake.callsTo('cloudformation:DescribeStackEvents').length > before, 10_000, 'the request reached the fake');
    stop.abort();
    const outcome = await running;
    expect(outcome).toMatchObject({ isError: true, text: 'Stopped before CloudFormation DescribeStackEvents answered (the person asking pressed Stop).' });
  });

  it('no credentials anywhere in the default chain', async () => {
    const keys = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const before = fake.calls.length;
      const watched = harness();
      const outcome = await watched.run('aws_whoami', {});
      expect(outcome.isError).toBe(true);
      expect(outcome.log?.failure).toBe('no_credentials');
      expect(outcome.text).toMatch(/^The bot has no AWS credentials to read this account with/);
      expect(fake.calls.length).toBe(before);
      expect(watched.lines.some((line) => line.msg === 'AWS account tools cannot get usable credentials')).toBe(true);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = keys.id;
      process.env.AWS_SECRET_ACCESS_KEY = keys.secret;
    }
  });

  it('a long result is cut to the token cap', async () => {
    const outcome = await harness({ maxResultTokens: 150 }).run('aws_cloudwatch_metric', {
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: [{ name: 'InstanceId', value: 'i-0a1b2c3d4e5f60001' }],
      windowMinutes: 120,
      periodSeconds: 60,
    });
    expect(outcome.isError).toBe(false);
    expect(outcome.text).toMatch(/\n… \d+ more lines left out to keep the result short; narrow the request to see them\.$/);
  });
});

describe('an assumed role', () => {
  it('is assumed once per person, with a session name naming them, and signs their calls', async () => {
    const assumedBefore = fake.assumedRoles.length;
    const roled = harness({ roleArn: ROLE_ARN });
    const who = await roled.run('aws_whoami', {});
    expect(who.text).toContain(`ARN arn:aws:sts::123456789012:assumed-role/aws-orchestrator-readonly/slack-T0TEAM-U0ALICE`);
    await roled.run('aws_ecs_clusters', {});
    await roled.run('aws_whoami', {}, { asker: BOB });

    const assumed = fake.assumedRoles.slice(assumedBefore);
    expect(assumed.map((role) => [role.roleArn, role.roleSessionName])).toEqual([
      [ROLE_ARN, 'slack-T0TEAM-U0ALICE'],
      [ROLE_ARN, 'slack-T0TEAM-U0BOB'],
    ]);
    // The AssumeRole calls themselves are signed with the bot's own keys; the reads with the session's.
    const assumeCalls = fake.callsTo('sts:AssumeRole').slice(-2);
    expect(assumeCalls.map((call) => [call.accessKeyId, call.params.RoleSessionName])).toEqual([
      [fake.env.AWS_ACCESS_KEY_ID, 'slack-T0TEAM-U0ALICE'],
      [fake.env.AWS_ACCESS_KEY_ID, 'slack-T0TEAM-U0BOB'],
    ]);
    const reads = fake.calls.slice(-6).filter((call) => call.operation !== 'sts:AssumeRole');
    expect(reads.map((call) => [call.operation, call.roleSessionName])).toEqual([
      ['sts:GetCallerIdentity', 'slack-T0TEAM-U0ALICE'],
      ['ecs:ListClusters', 'slack-T0TEAM-U0ALICE'],
      ['ecs:DescribeClusters', 'slack-T0TEAM-U0ALICE'],
      ['sts:GetCallerIdentity', 'slack-T0TEAM-U0BOB'],
    ]);
    expect(reads.every((call) => call.accessKeyId.startsWith('ASIA'))).toBe(true);
    expect(who.log).toMatchObject({ roleSessionName: 'slack-T0TEAM-U0ALICE' });
    expect(roled.lines.filter((line) => line.audit === 'aws_assume_role').map((line) => [line.roleSessionName, line.outcome])).toEqual([
      ['slack-T0TEAM-U0ALICE', 'ok'],
      ['slack-T0TEAM-U0BOB', 'ok'],
    ]);
  });

  it('that cannot be assumed is explained, and nothing is read', async () => {
    fake.deny('sts:AssumeRole');
    const before = fake.calls.filter((call) => call.operation !== 'sts:AssumeRole').length;
    const outcome = await harness({ roleArn: ROLE_ARN }).run('aws_ec2_instances', {});
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toContain(`I couldn't assume the read-only role ${ROLE_ARN} (session slack-T0TEAM-U0ALICE)`);
    expect(outcome.text).toContain('sts:AssumeRole');
    expect(outcome.text).toContain('trust policy');
    expect(fake.calls.filter((call) => call.operation !== 'sts:AssumeRole').length).toBe(before);
  });
});

describe('endpoint override per service', () => {
  it('AWS_ENDPOINT_URL_COST_EXPLORER sends Cost Explorer elsewhere, the rest stays on AWS_ENDPOINT_URL', async () => {
    const billing = await startFakeAws();
    process.env.AWS_ENDPOINT_URL_COST_EXPLORER = billing.url;
    try {
      const overridden = harness();
      const before = fake.calls.length;
      expect((await overridden.run('aws_cost_by_service', {})).isError).toBe(false);
      expect((await overridden.run('aws_ecs_clusters', {})).isError).toBe(false);
      expect(billing.calls.map((call) => call.operation)).toEqual(['ce:GetCostAndUsage']);
      expect(fake.calls.slice(before).map((call) => call.operation)).toEqual(['ecs:ListClusters', 'ecs:DescribeClusters']);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_COST_EXPLORER;
      await billing.close();
    }
  });
});

describe('the fake answers in the shapes the SDK models', () => {
  it('modelled errors arrive as the SDK classes, with the request id', async () => {
    const ecs = new ECSClient({ region: 'eu-west-1' });
    const rds = new RDSClient({ region: 'eu-west-1' });
    const lambda = new LambdaClient({ region: 'eu-west-1' });
    try {
      const ecsError = await ecs.send(new ListServicesCommand({ cluster: 'nope' })).catch((error: unknown) => error);
      expect(ecsError).toBeInstanceOf(ClusterNotFoundException);
      expect((ecsError as ClusterNotFoundException).$metadata.requestId).toBe(fake.callsTo('ecs:ListServices').at(-1)?.requestId);
      const rdsError = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })).catch((error: unknown) => error);
      expect(rdsError).toBeInstanceOf(DBInstanceNotFoundFault);
      expect((rdsError as DBInstanceNotFoundFault).message).toBe('DBInstance nope not found.');
      const lambdaError = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' })).catch((error: unknown) => error);
      expect(lambdaError).toBeInstanceOf(ResourceNotFoundException);
      expect((lambdaError as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    } finally {
      ecs.destroy();
      rds.destroy();
      lambda.destroy();
    }
  });

  it('STS AssumeRole returns usable temporary credentials and checks the session name', async () => {
    const sts = new STSClient({ region: 'eu-west-1' });
    try {
      const output = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'slack-T1-U1', DurationSeconds: 900 }));
      expect(output.Credentials?.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
      expect(output.Credentials?.Expiration).toBeInstanceOf(Date);
      expect(output.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/aws-orchestrator-readonly/slack-T1-U1');
      const invalid = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'slack T1 U1' })).catch((error: unknown) => error);
      expect(invalid).toMatchObject({ name: 'ValidationError' });
    } finally {
      sts.destroy();
    }
  });
});
