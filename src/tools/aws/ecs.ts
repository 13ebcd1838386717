/**
 * ECS: clusters (ListClusters + DescribeClusters), services with their counts, deployments and
 * latest events (DescribeServices, after ListServices when no names are given), and tasks with
 * the reasons they stopped (ListTasks + DescribeTasks).
 */
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  type Deployment,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { limitField, regionField, shortName, text, textList, type Regions } from './fields.js';
import { clip, count, joinParts, utc } from './format.js';
import type { AwsToolSpec } from './runner.js';

const CLUSTER = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\w:/.-]+$/, 'must be a cluster name or ARN')
  .describe('Cluster name or ARN.');

const MAX_CLUSTER_PAGES = 3;
/** DescribeServices and DescribeTasks take at most 10 and 100 names per call. */
const SERVICES_PER_CALL = 10;

export function ecsClustersTool(regions: Regions) {
  const schema = z.object({ region: regionField(regions), limit: limitField(100, 30, 'clusters') }).strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_ecs_clusters',
    description:
      "Lists the ECS clusters in one region (ECS ListClusters + DescribeClusters): status, number of active services, running and pending tasks. Use it to find a cluster's name before looking at its services or tasks.",
    schema,
    operation: 'ecs:ListClusters',
    reuseSeconds: 20,
    detail: () => undefined,
    async execute(input, run) {
      const ecs = run.client(ECSClient);
      const arns: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const params = { maxResults: 100, ...(nextToken ? { nextToken } : {}) };
        const output = await run.call('ecs:ListClusters', params, (abortSignal) => ecs.send(new ListClustersCommand(params), { abortSignal }));
        arns.push(...(output.clusterArns ?? []));
        nextToken = output.nextToken;
        pages += 1;
      } while (nextToken && arns.length < input.limit && pages < MAX_CLUSTER_PAGES);
      const wanted = arns.slice(0, input.limit);
      const header = `ECS clusters in ${run.region}: ${count(wanted.length, 'cluster')}${arns.length > wanted.length || nextToken ? ' shown (more exist)' : ''}.`;
      if (wanted.length === 0) return `${header}\nNone.`;
      const params = { clusters: wanted };
      const output = await run.call('ecs:DescribeClusters', params, (abortSignal) => ecs.send(new DescribeClustersCommand(params), { abortSignal }));
      const lines = (output.clusters ?? []).map(
        (cluster) =>
          `- ${cluster.clusterName ?? shortName(cluster.clusterArn)}: ${joinParts([
            cluster.status,
            `${cluster.activeServicesCount ?? 0} active services`,
            `${cluster.runningTasksCount ?? 0} running / ${cluster.pendingTasksCount ?? 0} pending tasks`,
            cluster.registeredContainerInstancesCount ? `${cluster.registeredContainerInstancesCount} container instances` : undefined,
          ])}`,
      );
      return [header, ...lines].join('\n');
    },
  };
  return spec;
}

export function ecsServicesTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      cluster: CLUSTER,
      services: z
        .array(z.string().min(1).max(255))
        .min(1)
        .max(SERVICES_PER_CALL)
        .optional()
        .describe(`Service names or ARNs (up to ${SERVICES_PER_CALL}). Without them, the first ${SERVICES_PER_CALL} services of the cluster.`),
      events: z.number().int().min(0).max(10).default(5).describe('How many of the latest service events to show per service (0-10, default 5).'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_ecs_services',
    description:
      'Describes ECS services in a cluster (ECS DescribeServices): desired/running/pending task counts, deployments with rollout state, task definition, and the latest service events (placement failures, unhealthy targets, steady state). Use it when a service is not healthy or a deployment is stuck.',
    schema,
    operation: 'ecs:DescribeServices',
    reuseSeconds: 20,
    detail: (input) => joinParts([text(input.cluster) && `cluster ${text(input.cluster)}`, textList(input.services)], ' · ') || undefined,
    async execute(input, run) {
      const ecs = run.client(ECSClient);
      let names = input.services;
      let more = false;
      if (!names) {
        const params = { cluster: input.cluster, maxResults: SERVICES_PER_CALL };
        const listed = await run.call('ecs:ListServices', params, (abortSignal) => ecs.send(new ListServicesCommand(params), { abortSignal }));
        names = listed.serviceArns ?? [];
        more = Boolean(listed.nextToken);
        if (names.length === 0) return `ECS cluster ${input.cluster} in ${run.region} has no services.`;
      }
      const params = { cluster: input.cluster, services: names };
      const output = await run.call('ecs:DescribeServices', params, (abortSignal) => ecs.send(new DescribeServicesCommand(params), { abortSignal }));
      const services = output.services ?? [];
      const lines = [`ECS services in cluster ${input.cluster} (${run.region}): ${count(services.length, 'service')}${more ? ` (the first ${SERVICES_PER_CALL}; name services to see others)` : ''}.`];
      for (const service of services) lines.push(...serviceLines(service, input.events));
      for (const failure of output.failures ?? []) lines.push(`- ${shortName(failure.arn)}: ${failure.reason ?? 'failed'}${failure.detail ? ` (${clip(failure.detail, 120)})` : ''}`);
      return lines.join('\n');
    },
  };
  return spec;
}

function serviceLines(service: Service, events: number): string[] {
  const lines = [
    `- ${service.serviceName ?? shortName(service.serviceArn)}: ${joinParts([
      service.status,
      `desired ${service.desiredCount ?? 0}, running ${service.runningCount ?? 0}, pending ${service.pendingCount ?? 0}`,
      service.launchType ?? service.capacityProviderStrategy?.map((item) => item.capacityProvider).join('+'),
      service.taskDefinition && `task definition ${shortName(service.taskDefinition)}`,
    ])}`,
  ];
  const deployments = service.deployments ?? [];
  if (deployments.length > 0) lines.push(`  deployments: ${deployments.slice(0, 4).map(deploymentText).join('; ')}`);
  const latest = [...(service.events ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0)).slice(0, events);
  if (latest.length > 0) {
    lines.push('  latest events:');
    for (const event of latest) lines.push(`  · ${utc(event.createdAt)} ${clip(event.message, 240)}`);
  }
  return lines;
}

function deploymentText(deployment: Deployment): string {
  return joinParts(
    [
      deployment.status,
      deployment.taskDefinition && shortName(deployment.taskDefinition),
      deployment.rolloutState && `${deployment.rolloutState}${deployment.rolloutStateReason ? ` (${clip(deployment.rolloutStateReason, 120)})` : ''}`,
      `desired ${deployment.desiredCount ?? 0}/running ${deployment.runningCount ?? 0}/pending ${deployment.pendingCount ?? 0}/failed ${deployment.failedTasks ?? 0}`,
      deployment.updatedAt && `updated ${utc(deployment.updatedAt)}`,
    ],
    ' ',
  );
}

export function ecsTasksTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      cluster: CLUSTER,
      serviceName: z.string().min(1).max(255).optional().describe("Only this service's tasks."),
      desiredStatus: z
        .enum(['RUNNING', 'STOPPED'])
        .default('RUNNING')
        .describe('RUNNING (default) or STOPPED: stopped tasks (kept for about an hour) show why they stopped.'),
      limit: limitField(20, 10, 'tasks'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_ecs_tasks',
    description:
      'Lists ECS tasks of a cluster or one service (ECS ListTasks + DescribeTasks): status, task definition, start/stop times, and for stopped tasks the stop code, stopped reason and each container\'s exit code and reason (e.g. OutOfMemory, failed health checks, image pull errors).',
    schema,
    operation: 'ecs:DescribeTasks',
    reuseSeconds: 20,
    detail: (input) =>
      joinParts([text(input.cluster) && `cluster ${text(input.cluster)}`, text(input.serviceName) && `service ${text(input.serviceName)}`, text(input.desiredStatus)], ' · ') ||
      undefined,
    async execute(input, run) {
      const ecs = run.client(ECSClient);
      const listParams = {
        cluster: input.cluster,
        desiredStatus: input.desiredStatus,
        maxResults: input.limit,
        ...(input.serviceName ? { serviceName: input.serviceName } : {}),
      };
      const listed = await run.call('ecs:ListTasks', listParams, (abortSignal) => ecs.send(new ListTasksCommand(listParams), { abortSignal }));
      const arns = listed.taskArns ?? [];
      const scope = `${input.desiredStatus.toLowerCase()} tasks in cluster ${input.cluster}${input.serviceName ? `, service ${input.serviceName}` : ''} (${run.region})`;
      if (arns.length === 0) return `No ${scope}.`;
      const params = { cluster: input.cluster, tasks: arns };
      const output = await run.call('ecs:DescribeTasks', params, (abortSignal) => ecs.send(new DescribeTasksCommand(params), { abortSignal }));
      const tasks = [...(output.tasks ?? [])].sort((a, b) => taskTime(b) - taskTime(a));
      const lines = [`ECS ${scope}: ${count(tasks.length, 'task')}${listed.nextToken ? ' shown (more exist)' : ''}.`, ...tasks.map(taskLine)];
      for (const failure of output.failures ?? []) lines.push(`- ${shortName(failure.arn)}: ${failure.reason ?? 'failed'}`);
      return lines.join('\n');
    },
  };
  return spec;
}

function taskTime(task: Task): number {
  return (task.stoppedAt ?? task.startedAt ?? task.createdAt)?.getTime() ?? 0;
}

function taskLine(task: Task): string {
  const head = joinParts([
    `${task.lastStatus ?? '?'} (desired ${task.desiredStatus ?? '?'})`,
    task.taskDefinitionArn && shortName(task.taskDefinitionArn),
    task.group,
    task.launchType,
    task.healthStatus && task.healthStatus !== 'UNKNOWN' ? `health ${task.healthStatus}` : undefined,
    task.startedAt && `started ${utc(task.startedAt)}`,
    task.stoppedAt && `stopped ${utc(task.stoppedAt)}`,
    task.stopCode && `stop code ${task.stopCode}`,
    task.stoppedReason && `reason "${clip(task.stoppedReason, 200)}"`,
  ]);
  const containers = (task.containers ?? [])
    .map((container) =>
      joinParts(
        [
          container.name,
          container.lastStatus,
          container.exitCode !== undefined ? `exit ${container.exitCode}` : undefined,
          container.healthStatus && container.healthStatus !== 'UNKNOWN' ? `health ${container.healthStatus}` : undefined,
          container.reason && `"${clip(container.reason, 160)}"`,
        ],
        ' ',
      ),
    )
    .join('; ');
  return `- task ${shortName(task.taskArn)}: ${head}${containers ? `; containers: ${containers}` : ''}`;
}
