/**
 * Every AWS API operation the account tools can send, and the IAM action each one needs. This
 * list is the whole surface: a tool can only call an operation through `AwsRun.call`, whose
 * operation argument is typed by this table, so nothing outside it (and nothing that writes) can
 * be sent. deploy/iam-readonly-policy.json grants exactly the IAM actions below; a test holds the
 * two in step and checks every entry is a read.
 */

export const AWS_READ_OPERATIONS = [
  // GetCallerIdentity needs no permission: IAM cannot deny it, so the policy does not list it.
  { service: 'sts', action: 'GetCallerIdentity', iamAction: undefined },
  { service: 'ec2', action: 'DescribeInstances', iamAction: 'ec2:DescribeInstances' },
  { service: 'ecs', action: 'ListClusters', iamAction: 'ecs:ListClusters' },
  { service: 'ecs', action: 'DescribeClusters', iamAction: 'ecs:DescribeClusters' },
  { service: 'ecs', action: 'ListServices', iamAction: 'ecs:ListServices' },
  { service: 'ecs', action: 'DescribeServices', iamAction: 'ecs:DescribeServices' },
  { service: 'ecs', action: 'ListTasks', iamAction: 'ecs:ListTasks' },
  { service: 'ecs', action: 'DescribeTasks', iamAction: 'ecs:DescribeTasks' },
  { service: 'lambda', action: 'ListFunctions', iamAction: 'lambda:ListFunctions' },
  { service: 'lambda', action: 'GetFunctionConfiguration', iamAction: 'lambda:GetFunctionConfiguration' },
  { service: 'cloudwatch', action: 'DescribeAlarms', iamAction: 'cloudwatch:DescribeAlarms' },
  { service: 'cloudwatch', action: 'GetMetricStatistics', iamAction: 'cloudwatch:GetMetricStatistics' },
  { service: 'logs', action: 'FilterLogEvents', iamAction: 'logs:FilterLogEvents' },
  { service: 'cloudformation', action: 'DescribeStacks', iamAction: 'cloudformation:DescribeStacks' },
  { service: 'cloudformation', action: 'DescribeStackEvents', iamAction: 'cloudformation:DescribeStackEvents' },
  { service: 'rds', action: 'DescribeDBInstances', iamAction: 'rds:DescribeDBInstances' },
  // The ListBuckets API is authorised by the IAM action s3:ListAllMyBuckets.
  { service: 's3', action: 'ListBuckets', iamAction: 's3:ListAllMyBuckets' },
  { service: 'ce', action: 'GetCostAndUsage', iamAction: 'ce:GetCostAndUsage' },
] as const satisfies readonly AwsOperationEntry[];

interface AwsOperationEntry {
  /** The IAM service prefix. */
  service: string;
  /** The API operation name, as the SDK's command is named without `Command`. */
  action: string;
  /** The IAM action that authorises it; undefined when none is needed. */
  iamAction: string | undefined;
}

export type AwsOperation = (typeof AWS_READ_OPERATIONS)[number];
export type AwsService = AwsOperation['service'];
/** `service:Action`, e.g. `ecs:DescribeServices`. */
export type AwsOperationId = `${AwsOperation['service']}:${AwsOperation['action']}`;

/**
 * Used only for role assumption, by the bot's own credentials, never by a tool. It belongs in the
 * bot's own role's policy (allowed on the read-only role's ARN), not in the read-only role.
 */
export const ASSUME_ROLE_OPERATION = { service: 'sts', action: 'AssumeRole', iamAction: 'sts:AssumeRole' } as const;

/** Names people know the services by, for messages and the step shown while a tool runs. */
export const SERVICE_LABELS: Record<AwsService, string> = {
  sts: 'STS',
  ec2: 'EC2',
  ecs: 'ECS',
  lambda: 'Lambda',
  cloudwatch: 'CloudWatch',
  logs: 'CloudWatch Logs',
  cloudformation: 'CloudFormation',
  rds: 'RDS',
  s3: 'S3',
  ce: 'Cost Explorer',
};

function operationId(operation: AwsOperation): AwsOperationId {
  return `${operation.service}:${operation.action}`;
}

export function findOperation(id: AwsOperationId): AwsOperation {
  const found = AWS_READ_OPERATIONS.find((operation) => operationId(operation) === id);
  if (!found) throw new Error(`unknown AWS operation ${id}`);
  return found;
}

/** The IAM actions the read-only role needs: deploy/iam-readonly-policy.json lists exactly these. */
export function requiredIamActions(): string[] {
  return [...new Set(AWS_READ_OPERATIONS.flatMap((operation) => (operation.iamAction === undefined ? [] : [operation.iamAction])))].sort();
}
