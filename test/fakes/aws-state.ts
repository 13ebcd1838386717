/**
 * The account the AWS fake serves: plain objects a test can read and edit while the fake runs.
 * `defaultAwsAccount(now)` builds a small, realistic account around a moment in time: a web tier
 * on EC2, an ECS cluster with a service mid-deployment and a task killed for memory, Lambda
 * functions whose environment holds a secret, alarms, a metric, log events, a rolled-back stack,
 * a database, buckets and three months of costs.
 */

export interface FakeInstance {
  id: string;
  name?: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  type: string;
  az: string;
  privateIp?: string;
  publicIp?: string;
  launchTime: Date;
  /** EC2's StateTransitionReason, e.g. "User initiated (2026-11-29 10:00:00 GMT)". */
  transitionReason?: string;
  stateReason?: { code: string; message: string };
  tags?: Record<string, string>;
}

export interface FakeServiceEvent {
  id: string;
  createdAt: Date;
  message: string;
}

export interface FakeDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState: 'COMPLETED' | 'FAILED' | 'IN_PROGRESS';
  rolloutStateReason?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface FakeService {
  name: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  launchType: 'FARGATE' | 'EC2' | 'EXTERNAL';
  /** family:revision */
  taskDefinition: string;
  deployments: FakeDeployment[];
  /** Newest first, as ECS keeps them. */
  events: FakeServiceEvent[];
}

export interface FakeContainer {
  name: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
}

export interface FakeTask {
  id: string;
  /** The service that started it, if any. */
  service?: string;
  taskDefinition: string;
  lastStatus: string;
  desiredStatus: 'RUNNING' | 'STOPPED' | 'PENDING';
  launchType: 'FARGATE' | 'EC2' | 'EXTERNAL';
  createdAt: Date;
  startedAt?: Date;
  stoppedAt?: Date;
  stopCode?: string;
  stoppedReason?: string;
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  containers: FakeContainer[];
}

export interface FakeCluster {
  name: string;
  status: 'ACTIVE' | 'INACTIVE' | 'PROVISIONING';
  services: FakeService[];
  tasks: FakeTask[];
}

export interface FakeFunction {
  name: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  /** Lambda's own format: 2026-11-30T04:00:00.000+0000 */
  lastModified: string;
  state: 'Active' | 'Pending' | 'Inactive' | 'Failed';
  stateReason?: string;
  lastUpdateStatus: 'Successful' | 'Failed' | 'InProgress';
  role: string;
  architectures: ('x86_64' | 'arm64')[];
  /** Served in the API answer exactly as AWS does: values included. */
  environment: Record<string, string>;
  layers?: string[];
}

export interface FakeAlarm {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  stateReason: string;
  stateUpdated: Date;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount';
  threshold: number;
  comparisonOperator: string;
  period: number;
  evaluationPeriods: number;
}

export interface FakeMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  unit: string;
  /** Raw samples; GetMetricStatistics aggregates them per period. */
  samples: { timestamp: Date; value: number }[];
}

export interface FakeLogEvent {
  stream: string;
  /** Epoch ms. */
  timestamp: number;
  message: string;
}

export interface FakeLogGroup {
  name: string;
  events: FakeLogEvent[];
}

export interface FakeStackEvent {
  id: string;
  timestamp: Date;
  logicalId: string;
  physicalId?: string;
  type: string;
  status: string;
  reason?: string;
}

export interface FakeStack {
  name: string;
  status: string;
  statusReason?: string;
  created: Date;
  updated?: Date;
  outputs: Record<string, string>;
  events: FakeStackEvent[];
}

export interface FakeDbInstance {
  id: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  status: string;
  multiAz: boolean;
  storageGb: number;
  storageType: string;
  endpoint: { address: string; port: number };
  az: string;
}

export interface FakeBucket {
  name: string;
  created: Date;
  region: string;
}

export interface FakeCost {
  /** YYYY-MM-DD */
  day: string;
  service: string;
  amount: number;
}

export interface FakeAwsAccount {
  accountId: string;
  /** The identity behind the long-term keys (what GetCallerIdentity returns for them). */
  callerArn: string;
  callerUserId: string;
  instances: FakeInstance[];
  clusters: FakeCluster[];
  functions: FakeFunction[];
  alarms: FakeAlarm[];
  metrics: FakeMetric[];
  logGroups: FakeLogGroup[];
  stacks: FakeStack[];
  dbInstances: FakeDbInstance[];
  buckets: FakeBucket[];
  costs: FakeCost[];
}

/**
 * A value shaped like an AWS secret access key, held in a Lambda environment variable whose name
 * gives no hint (so only never reading values keeps it out of a result, not pattern masking).
 */
export const LAMBDA_SECRET_VALUE = 'q7Vd2LmZ9xKp4Rt8Wn3Bc6Hj1Fs5Ga0Ye/Ui+Ok2';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function defaultAwsAccount(now: Date = new Date()): FakeAwsAccount {
  const at = (msAgo: number) => new Date(now.getTime() - msAgo);
  const accountId = '123456789012';
  return {
    accountId,
    callerArn: `arn:aws:iam::${accountId}:user/aws-orchestrator-bot`,
    callerUserId: 'AIDAQ3EGV7EXAMPLEBOT',
    instances: [
      { id: 'i-0a1b2c3d4e5f60001', name: 'web-1', state: 'running', type: 't3.small', az: 'eu-west-1a', privateIp: '10.0.1.11', publicIp: '34.240.1.11', launchTime: at(20 * DAY) },
      { id: 'i-0a1b2c3d4e5f60002', name: 'web-2', state: 'running', type: 't3.small', az: 'eu-west-1b', privateIp: '10.0.2.12', publicIp: '34.240.2.12', launchTime: at(20 * DAY) },
      {
        id: 'i-0a1b2c3d4e5f60003',
        name: 'batch-worker',
        state: 'stopped',
        type: 'c6i.large',
        az: 'eu-west-1a',
        privateIp: '10.0.1.30',
        launchTime: at(3 * DAY),
        transitionReason: 'User initiated (2026-11-29 10:00:00 GMT)',
        stateReason: { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' },
      },
    ],
    clusters: [
      {
        name: 'prod',
        status: 'ACTIVE',
        services: [
          {
            name: 'api',
            status: 'ACTIVE',
            desiredCount: 3,
            runningCount: 2,
            pendingCount: 1,
            launchType: 'FARGATE',
            taskDefinition: 'api:42',
            deployments: [
              {
                id: 'ecs-svc/1111111111111111111',
                status: 'PRIMARY',
                taskDefinition: 'api:42',
                desiredCount: 3,
                runningCount: 2,
                pendingCount: 1,
                failedTasks: 2,
                rolloutState: 'IN_PROGRESS',
                rolloutStateReason: 'ECS deployment ecs-svc/1111111111111111111 in progress.',
                createdAt: at(40 * MINUTE),
                updatedAt: at(5 * MINUTE),
              },
              {
                id: 'ecs-svc/2222222222222222222',
                status: 'ACTIVE',
                taskDefinition: 'api:41',
                desiredCount: 0,
                runningCount: 1,
                pendingCount: 0,
                failedTasks: 0,
                rolloutState: 'COMPLETED',
                createdAt: at(3 * DAY),
                updatedAt: at(40 * MINUTE),
              },
            ],
            events: [
              { id: 'e-7', createdAt: at(5 * MINUTE), message: '(service api) has started 1 tasks: (task 5c7e0d2a9b4f4e1c8a6d3b2f1e0c9a87).' },
              { id: 'e-6', createdAt: at(9 * MINUTE), message: '(service api) (task 3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c) failed container health checks.' },
              { id: 'e-5', createdAt: at(12 * MINUTE), message: '(service api) (port 8080) is unhealthy in target-group api-tg due to (reason Health checks failed).' },
              { id: 'e-4', createdAt: at(20 * MINUTE), message: '(service api) has started 2 tasks: (task 3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c) (task 8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d).' },
              { id: 'e-3', createdAt: at(30 * MINUTE), message: '(service api) registered 1 targets in (target-group api-tg)' },
              { id: 'e-2', createdAt: at(2 * HOUR), message: '(service api) has reached a steady state.' },
              { id: 'e-1', createdAt: at(8 * HOUR), message: '(service api) has reached a steady state.' },
            ],
          },
          {
            name: 'worker',
            status: 'ACTIVE',
            desiredCount: 1,
            runningCount: 1,
            pendingCount: 0,
            launchType: 'FARGATE',
            taskDefinition: 'worker:7',
            deployments: [
              {
                id: 'ecs-svc/3333333333333333333',
                status: 'PRIMARY',
                taskDefinition: 'worker:7',
                desiredCount: 1,
                runningCount: 1,
                pendingCount: 0,
                failedTasks: 0,
                rolloutState: 'COMPLETED',
                createdAt: at(5 * DAY),
                updatedAt: at(5 * DAY),
              },
            ],
            events: [{ id: 'w-1', createdAt: at(1 * HOUR), message: '(service worker) has reached a steady state.' }],
          },
        ],
        tasks: [
          {
            id: '5c7e0d2a9b4f4e1c8a6d3b2f1e0c9a87',
            service: 'api',
            taskDefinition: 'api:42',
            lastStatus: 'RUNNING',
            desiredStatus: 'RUNNING',
            launchType: 'FARGATE',
            createdAt: at(6 * MINUTE),
            startedAt: at(5 * MINUTE),
            healthStatus: 'HEALTHY',
            containers: [{ name: 'app', lastStatus: 'RUNNING', healthStatus: 'HEALTHY' }],
          },
          {
            id: '9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a',
            service: 'api',
            taskDefinition: 'api:41',
            lastStatus: 'RUNNING',
            desiredStatus: 'RUNNING',
            launchType: 'FARGATE',
            createdAt: at(3 * DAY),
            startedAt: at(3 * DAY),
            healthStatus: 'HEALTHY',
            containers: [{ name: 'app', lastStatus: 'RUNNING', healthStatus: 'HEALTHY' }],
          },
          {
            id: '3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c',
            service: 'api',
            taskDefinition: 'api:42',
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            launchType: 'FARGATE',
            createdAt: at(20 * MINUTE),
            startedAt: at(19 * MINUTE),
            stoppedAt: at(9 * MINUTE),
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            healthStatus: 'UNHEALTHY',
            containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', healthStatus: 'UNHEALTHY' }],
          },
          {
            id: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
            service: 'worker',
            taskDefinition: 'worker:7',
            lastStatus: 'RUNNING',
            desiredStatus: 'RUNNING',
            launchType: 'FARGATE',
            createdAt: at(5 * DAY),
            startedAt: at(5 * DAY),
            containers: [{ name: 'worker', lastStatus: 'RUNNING' }],
          },
        ],
      },
      { name: 'staging', status: 'ACTIVE', services: [], tasks: [] },
    ],
    functions: [
      {
        name: 'orders-handler',
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        memorySize: 512,
        timeout: 30,
        lastModified: lambdaTime(at(2 * DAY)),
        state: 'Active',
        lastUpdateStatus: 'Successful',
        role: `arn:aws:iam::${accountId}:role/orders-handler-role`,
        architectures: ['arm64'],
        environment: { TABLE_NAME: 'orders', UPSTREAM_CREDENTIAL: LAMBDA_SECRET_VALUE, LOG_LEVEL: 'info' },
        layers: [`arn:aws:lambda:eu-west-1:${accountId}:layer:shared-libs:3`],
      },
      {
        name: 'thumbnailer',
        runtime: 'python3.13',
        handler: 'app.handler',
        memorySize: 1024,
        timeout: 60,
        lastModified: lambdaTime(at(30 * DAY)),
        state: 'Active',
        lastUpdateStatus: 'Successful',
        role: `arn:aws:iam::${accountId}:role/thumbnailer-role`,
        architectures: ['x86_64'],
        environment: {},
      },
    ],
    alarms: [
      {
        name: 'api-5xx-high',
        state: 'ALARM',
        stateReason: 'Threshold Crossed: 1 datapoint [37.0 (30/11/26 04:10:00)] was greater than the threshold (10.0).',
        stateUpdated: at(12 * MINUTE),
        namespace: 'AWS/ApplicationELB',
        metricName: 'HTTPCode_Target_5XX_Count',
        dimensions: { LoadBalancer: 'app/prod-alb/50dc6c495c0c9188' },
        statistic: 'Sum',
        threshold: 10,
        comparisonOperator: 'GreaterThanThreshold',
        period: 300,
        evaluationPeriods: 1,
      },
      {
        name: 'web-cpu-high',
        state: 'OK',
        stateReason: 'Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).',
        stateUpdated: at(2 * DAY),
        namespace: 'AWS/EC2',
        metricName: 'CPUUtilization',
        dimensions: { InstanceId: 'i-0a1b2c3d4e5f60001' },
        statistic: 'Average',
        threshold: 80,
        comparisonOperator: 'GreaterThanThreshold',
        period: 300,
        evaluationPeriods: 3,
      },
      {
        name: 'orders-errors',
        state: 'INSUFFICIENT_DATA',
        stateReason: 'Insufficient Data: 1 datapoint was unknown.',
        stateUpdated: at(6 * HOUR),
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: 'orders-handler' },
        statistic: 'Sum',
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        period: 60,
        evaluationPeriods: 1,
      },
    ],
    metrics: [
      {
        namespace: 'AWS/EC2',
        name: 'CPUUtilization',
        dimensions: { InstanceId: 'i-0a1b2c3d4e5f60001' },
        unit: 'Percent',
        // One sample a minute for three hours: 20% rising to 80% over the last half hour.
        samples: Array.from({ length: 180 }, (_, index) => {
          const minutesAgo = 180 - index;
          const start = new Date(Math.floor(now.getTime() / MINUTE) * MINUTE - minutesAgo * MINUTE);
          return { timestamp: start, value: minutesAgo <= 30 ? 80 : 20 };
        }),
      },
    ],
    logGroups: [
      {
        name: '/aws/lambda/orders-handler',
        events: [
          { stream: '2026/11/30/[$LATEST]a1b2c3', timestamp: at(50 * MINUTE).getTime(), message: 'START RequestId: 6d0a Version: $LATEST' },
          { stream: '2026/11/30/[$LATEST]a1b2c3', timestamp: at(49 * MINUTE).getTime(), message: 'INFO order 1001 stored' },
          { stream: '2026/11/30/[$LATEST]a1b2c3', timestamp: at(20 * MINUTE).getTime(), message: 'ERROR ConditionalCheckFailedException: order 1002 already exists' },
          {
            stream: '2026/11/30/[$LATEST]d4e5f6',
            timestamp: at(10 * MINUTE).getTime(),
            message: 'ERROR upstream refused: config dump aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          },
          { stream: '2026/11/30/[$LATEST]d4e5f6', timestamp: at(9 * MINUTE).getTime(), message: 'Task timed out after 30.03 seconds' },
          { stream: '2026/11/29/[$LATEST]ffffff', timestamp: at(20 * HOUR).getTime(), message: 'ERROR yesterday: throttled by DynamoDB' },
        ],
      },
    ],
    stacks: [
      {
        name: 'orders-stack',
        status: 'UPDATE_ROLLBACK_COMPLETE',
        created: at(60 * DAY),
        updated: at(30 * MINUTE),
        outputs: { ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' },
        events: [
          { id: 'ev-5', timestamp: at(25 * MINUTE), logicalId: 'orders-stack', type: 'AWS::CloudFormation::Stack', status: 'UPDATE_ROLLBACK_COMPLETE' },
          { id: 'ev-4', timestamp: at(27 * MINUTE), logicalId: 'OrdersTable', physicalId: 'orders', type: 'AWS::DynamoDB::Table', status: 'UPDATE_COMPLETE' },
          {
            id: 'ev-3',
            timestamp: at(28 * MINUTE),
            logicalId: 'orders-stack',
            type: 'AWS::CloudFormation::Stack',
            status: 'UPDATE_ROLLBACK_IN_PROGRESS',
            reason: 'The following resource(s) failed to update: [OrdersQueue].',
          },
          {
            id: 'ev-2',
            timestamp: at(29 * MINUTE),
            logicalId: 'OrdersQueue',
            physicalId: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders',
            type: 'AWS::SQS::Queue',
            status: 'UPDATE_FAILED',
            reason: 'Resource handler returned message: "Invalid value for the parameter VisibilityTimeout." (HandlerErrorCode: InvalidRequest)',
          },
          { id: 'ev-1', timestamp: at(30 * MINUTE), logicalId: 'orders-stack', type: 'AWS::CloudFormation::Stack', status: 'UPDATE_IN_PROGRESS', reason: 'User Initiated' },
        ],
      },
      { name: 'network-stack', status: 'CREATE_COMPLETE', created: at(200 * DAY), outputs: { VpcId: 'vpc-0abc1234def567890' }, events: [] },
    ],
    dbInstances: [
      {
        id: 'orders-db',
        engine: 'postgres',
        engineVersion: '16.4',
        instanceClass: 'db.t4g.medium',
        status: 'available',
        multiAz: true,
        storageGb: 100,
        storageType: 'gp3',
        endpoint: { address: 'orders-db.c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 },
        az: 'eu-west-1a',
      },
    ],
    buckets: [
      { name: 'acme-app-logs', created: at(400 * DAY), region: 'eu-west-1' },
      { name: 'acme-assets', created: at(300 * DAY), region: 'us-east-1' },
      { name: 'acme-backups', created: at(100 * DAY), region: 'eu-west-1' },
    ],
    costs: dailyCosts(now, 120),
  };
}

function dailyCosts(now: Date, days: number): FakeCost[] {
  const costs: FakeCost[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let back = days; back >= 1; back -= 1) {
    const day = new Date(today - back * DAY).toISOString().slice(0, 10);
    costs.push({ day, service: 'Amazon Elastic Compute Cloud - Compute', amount: 12.5 });
    costs.push({ day, service: 'Amazon Elastic Container Service', amount: 4.25 });
    costs.push({ day, service: 'Amazon Relational Database Service', amount: 3.1 });
    costs.push({ day, service: 'AWS Lambda', amount: 0.02 });
  }
  return costs;
}

/** Lambda's LastModified format: 2026-11-30T04:00:00.000+0000 */
function lambdaTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}
