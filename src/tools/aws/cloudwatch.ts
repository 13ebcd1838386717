/** CloudWatch alarms (DescribeAlarms) and one metric's statistics over a bounded window (GetMetricStatistics). */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, type CompositeAlarm, type Datapoint, type MetricAlarm, type Statistic } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { limitField, regionField, text, type Regions } from './fields.js';
import { clip, count, joinParts, utc } from './format.js';
import type { AwsToolSpec } from './runner.js';

const MAX_ALARM_PAGES = 3;
const STATISTICS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'] as const satisfies readonly Statistic[];
/** Periods CloudWatch keeps data at for long windows; the smallest that fits the point budget is used. */
const PERIODS = [60, 300, 900, 3600, 21_600, 86_400] as const;
/** Datapoints returned at most: enough for a trend, few enough to read. */
const MAX_POINTS = 120;
const DEFAULT_POINTS = 30;
const MAX_WINDOW_MINUTES = 3 * 24 * 60;

export function cloudwatchAlarmsTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      state: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']).optional().describe('Only alarms in this state (e.g. ALARM for what is firing now).'),
      namePrefix: z.string().min(1).max(255).optional().describe('Only alarms whose name starts with this.'),
      limit: limitField(50, 30, 'alarms'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_cloudwatch_alarms',
    description:
      'Lists CloudWatch alarms in one region (CloudWatch DescribeAlarms), metric and composite: state, since when, the state reason, and what each alarm watches (metric, statistic, threshold). Filter by state, e.g. ALARM for what is firing now.',
    schema,
    operation: 'cloudwatch:DescribeAlarms',
    reuseSeconds: 20,
    detail: (input) => joinParts([text(input.state), text(input.namePrefix) && `prefix ${text(input.namePrefix)}`], ' · ') || undefined,
    async execute(input, run) {
      const cloudwatch = run.client(CloudWatchClient);
      const metricAlarms: MetricAlarm[] = [];
      const compositeAlarms: CompositeAlarm[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const params = {
          AlarmTypes: ['MetricAlarm' as const, 'CompositeAlarm' as const],
          MaxRecords: Math.min(100, input.limit),
          ...(input.state ? { StateValue: input.state } : {}),
          ...(input.namePrefix ? { AlarmNamePrefix: input.namePrefix } : {}),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
        const output = await run.call('cloudwatch:DescribeAlarms', params, (abortSignal) => cloudwatch.send(new DescribeAlarmsCommand(params), { abortSignal }));
        metricAlarms.push(...(output.MetricAlarms ?? []));
        compositeAlarms.push(...(output.CompositeAlarms ?? []));
        nextToken = output.NextToken;
        pages += 1;
      } while (nextToken && metricAlarms.length + compositeAlarms.length < input.limit && pages < MAX_ALARM_PAGES);

      const lines = [...metricAlarms.map(metricAlarmLine), ...compositeAlarms.map(compositeAlarmLine)]
        .sort((a, b) => b.updated - a.updated)
        .slice(0, input.limit)
        .map((alarm) => alarm.line);
      const total = metricAlarms.length + compositeAlarms.length;
      const filterText = joinParts([input.state && `state ${input.state}`, input.namePrefix && `name starting with "${input.namePrefix}"`]);
      const more = total > lines.length || nextToken ? ' (more exist: narrow the filters)' : '';
      const header = `CloudWatch alarms in ${run.region}${filterText ? ` (${filterText})` : ''}: ${count(lines.length, 'alarm')} shown${more}, most recently changed first.`;
      if (lines.length === 0) return `${header}\nNone.`;
      return [header, ...lines].join('\n');
    },
  };
  return spec;
}

function metricAlarmLine(alarm: MetricAlarm): { updated: number; line: string } {
  const dimensions = (alarm.Dimensions ?? []).map((dimension) => `${dimension.Name}=${dimension.Value}`).join(',');
  const watched = alarm.Metrics?.length
    ? 'a metric math expression'
    : joinParts([alarm.Namespace, alarm.MetricName, dimensions && `{${dimensions}}`, alarm.Statistic ?? alarm.ExtendedStatistic], ' ');
  const condition = joinParts([alarm.ComparisonOperator, alarm.Threshold !== undefined ? String(alarm.Threshold) : undefined], ' ');
  const periods = alarm.EvaluationPeriods !== undefined && alarm.Period !== undefined ? `${alarm.EvaluationPeriods}×${alarm.Period} s` : undefined;
  return {
    updated: alarm.StateUpdatedTimestamp?.getTime() ?? 0,
    line: `- ${alarm.AlarmName ?? '?'}: ${alarm.StateValue ?? '?'} since ${utc(alarm.StateUpdatedTimestamp)}; watches ${joinParts([watched, condition, periods], ' ')}${
      alarm.StateReason ? `; reason "${clip(alarm.StateReason, 220)}"` : ''
    }${alarm.ActionsEnabled === false ? '; actions disabled' : ''}`,
  };
}

function compositeAlarmLine(alarm: CompositeAlarm): { updated: number; line: string } {
  return {
    updated: alarm.StateUpdatedTimestamp?.getTime() ?? 0,
    line: `- ${alarm.AlarmName ?? '?'} (composite): ${alarm.StateValue ?? '?'} since ${utc(alarm.StateUpdatedTimestamp)}; rule ${clip(alarm.AlarmRule, 160)}${
      alarm.StateReason ? `; reason "${clip(alarm.StateReason, 200)}"` : ''
    }`,
  };
}

export function cloudwatchMetricTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      namespace: z.string().min(1).max(255).describe('Metric namespace, e.g. AWS/EC2, AWS/ECS, AWS/Lambda, AWS/ApplicationELB.'),
      metricName: z.string().min(1).max(255).describe('Metric name, e.g. CPUUtilization, Errors, Duration, TargetResponseTime.'),
      dimensions: z
        .array(z.object({ name: z.string().min(1).max(255), value: z.string().min(1).max(1024) }).strict())
        .max(30)
        .default([])
        .describe('Dimensions exactly as the metric is published, e.g. [{"name":"InstanceId","value":"i-0123…"}] or ClusterName + ServiceName for ECS.'),
      statistics: z.array(z.enum(STATISTICS)).min(1).max(5).default(['Average', 'Maximum']).describe('Statistics per period (default Average and Maximum).'),
      windowMinutes: z
        .number()
        .int()
        .min(5)
        .max(MAX_WINDOW_MINUTES)
        .default(60)
        .describe(`How far back from now to look, in minutes (5-${MAX_WINDOW_MINUTES}, default 60).`),
      periodSeconds: z
        .number()
        .int()
        .min(60)
        .max(86_400)
        .multipleOf(60)
        .optional()
        .describe(`Seconds per datapoint, a multiple of 60. Default: the smallest standard period giving at most ${DEFAULT_POINTS} points; raised if the window would give more than ${MAX_POINTS}.`),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_cloudwatch_metric',
    description:
      'Reads one CloudWatch metric over a recent window (CloudWatch GetMetricStatistics): datapoints per period with the chosen statistics. Dimensions must match the metric exactly. Use it to see CPU, memory, errors, latency or request counts over the last minutes to days.',
    schema,
    operation: 'cloudwatch:GetMetricStatistics',
    reuseSeconds: 20,
    detail: (input) => joinParts([text(input.namespace), text(input.metricName)], ' ') || undefined,
    async execute(input, run) {
      const cloudwatch = run.client(CloudWatchClient);
      const windowSeconds = input.windowMinutes * 60;
      const period = choosePeriod(windowSeconds, input.periodSeconds);
      const end = new Date(Math.floor(run.now.getTime() / 60_000) * 60_000);
      const start = new Date(end.getTime() - windowSeconds * 1000);
      const params = {
        Namespace: input.namespace,
        MetricName: input.metricName,
        Dimensions: input.dimensions.map((dimension) => ({ Name: dimension.name, Value: dimension.value })),
        StartTime: start,
        EndTime: end,
        Period: period,
        Statistics: input.statistics,
      };
      const output = await run.call('cloudwatch:GetMetricStatistics', params, (abortSignal) => cloudwatch.send(new GetMetricStatisticsCommand(params), { abortSignal }));
      const points = [...(output.Datapoints ?? [])].sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
      const dimensions = input.dimensions.map((dimension) => `${dimension.name}=${dimension.value}`).join(', ');
      const unit = points.find((point) => point.Unit && point.Unit !== 'None')?.Unit;
      const adjusted = input.periodSeconds !== undefined && input.periodSeconds !== period ? ` (raised from ${input.periodSeconds} s to stay within ${MAX_POINTS} points)` : '';
      const header = `CloudWatch ${input.namespace} ${input.metricName}${dimensions ? ` {${dimensions}}` : ''} in ${run.region}, ${utc(start)} to ${utc(end)}, period ${period} s${adjusted}${unit ? `, unit ${unit}` : ''}: ${count(points.length, 'datapoint')}.`;
      if (points.length === 0) {
        return `${header}\nNo data in that window. Namespace, metric name and every dimension must match exactly as published (a missing or extra dimension gives no data).`;
      }
      return [header, ...points.map((point) => `- ${utc(point.Timestamp)}: ${statisticsText(point, input.statistics)}`)].join('\n');
    },
  };
  return spec;
}

/** The requested period, or the smallest standard one with few enough points; never more than MAX_POINTS points. */
export function choosePeriod(windowSeconds: number, requested: number | undefined): number {
  if (requested !== undefined) {
    if (windowSeconds / requested <= MAX_POINTS) return requested;
    return Math.ceil(windowSeconds / MAX_POINTS / 60) * 60;
  }
  return PERIODS.find((period) => windowSeconds / period <= DEFAULT_POINTS) ?? 86_400;
}

function statisticsText(point: Datapoint, statistics: readonly Statistic[]): string {
  const labels: Record<Statistic, string> = { Average: 'avg', Sum: 'sum', Minimum: 'min', Maximum: 'max', SampleCount: 'samples' };
  return statistics
    .map((statistic) => {
      const value = point[statistic];
      return value === undefined ? undefined : `${labels[statistic]} ${round(value)}`;
    })
    .filter(Boolean)
    .join(', ');
}

function round(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : Number(value.toPrecision(4)).toString();
}
