/**
 * Cost Explorer GetCostAndUsage grouped by service over at most 93 days. Cost Explorer has one
 * endpoint for the whole account (us-east-1 in the aws partition), so the region is not an input.
 * Each request costs USD 0.01, hence the longer reuse.
 */
import { CostExplorerClient, GetCostAndUsageCommand, type ResultByTime } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { ToolInputError } from './errors.js';
import { text } from './fields.js';
import { count } from './format.js';
import type { AwsToolSpec } from './runner.js';

const MAX_DAYS = 93;
const DEFAULT_DAYS = 30;
const MAX_PAGES = 5;
const COST_EXPLORER_REGION = 'us-east-1';
const METRIC = 'UnblendedCost';
const DAY_MS = 86_400_000;

const DATE = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'must be a real date');

export function costByServiceTool() {
  const schema = z
    .object({
      start: DATE.optional().describe(`First day, YYYY-MM-DD (inclusive). Default: ${DEFAULT_DAYS} days before the end.`),
      end: DATE.optional().describe('Day after the last day, YYYY-MM-DD (exclusive). Default: today (UTC), so up to yesterday.'),
      granularity: z.enum(['DAILY', 'MONTHLY']).default('MONTHLY').describe('DAILY or MONTHLY totals (default MONTHLY).'),
      topServices: z.number().int().min(1).max(20).optional().describe('Services shown per period, largest first (default 10 monthly, 5 daily); the rest are summed.'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema> & { region?: string }> = {
    name: 'aws_cost_by_service',
    description: `The account's cost per AWS service over a date range of at most ${MAX_DAYS} days (Cost Explorer GetCostAndUsage, unblended cost, grouped by SERVICE), daily or monthly, largest first. Today's and this month's figures are estimates that AWS updates during the day.`,
    schema,
    operation: 'ce:GetCostAndUsage',
    fixedRegion: COST_EXPLORER_REGION,
    reuseSeconds: 3600,
    detail: (input) => [text(input.start), text(input.end)].filter(Boolean).join(' to ') || undefined,
    async execute(input, run) {
      const today = run.now.toISOString().slice(0, 10);
      const end = input.end ?? today;
      const start = input.start ?? isoDay(Date.parse(`${end}T00:00:00Z`) - DEFAULT_DAYS * DAY_MS);
      const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS;
      if (days <= 0) throw new ToolInputError(`The start (${start}) must be before the end (${end}); the end day is not included.`);
      if (days > MAX_DAYS) throw new ToolInputError(`The range ${start} to ${end} is ${days} days; at most ${MAX_DAYS} days can be read at once.`);

      const ce = run.client(CostExplorerClient);
      const results: ResultByTime[] = [];
      let nextPageToken: string | undefined;
      let pages = 0;
      do {
        const params = {
          TimePeriod: { Start: start, End: end },
          Granularity: input.granularity,
          Metrics: [METRIC],
          GroupBy: [{ Type: 'DIMENSION' as const, Key: 'SERVICE' }],
          ...(nextPageToken ? { NextPageToken: nextPageToken } : {}),
        };
        const output = await run.call('ce:GetCostAndUsage', params, (abortSignal) => ce.send(new GetCostAndUsageCommand(params), { abortSignal }));
        results.push(...(output.ResultsByTime ?? []));
        nextPageToken = output.NextPageToken;
        pages += 1;
      } while (nextPageToken && pages < MAX_PAGES);

      const top = input.topServices ?? (input.granularity === 'MONTHLY' ? 10 : 5);
      const lines = [`AWS cost by service (unblended), ${start} to ${end} (end excluded), ${input.granularity.toLowerCase()}: ${count(results.length, 'period')}.`];
      for (const result of results) lines.push(...periodLines(result, top));
      if (nextPageToken) lines.push('(more periods exist: shorten the range)');
      return lines.join('\n');
    },
  };
  return spec;
}

function periodLines(result: ResultByTime, top: number): string[] {
  const groups = (result.Groups ?? [])
    .map((group) => ({
      service: group.Keys?.[0] ?? '?',
      amount: Number(group.Metrics?.[METRIC]?.Amount ?? 0),
      unit: group.Metrics?.[METRIC]?.Unit ?? 'USD',
    }))
    .sort((a, b) => b.amount - a.amount);
  const unit = groups[0]?.unit ?? 'USD';
  const total = groups.reduce((sum, group) => sum + group.amount, 0);
  const shown = groups.slice(0, top).filter((group) => group.amount >= 0.005);
  const rest = total - shown.reduce((sum, group) => sum + group.amount, 0);
  const from = result.TimePeriod?.Start ?? '?';
  const to = result.TimePeriod?.End;
  // A daily period is its first day; a month (or the part of one in the range) shows both ends.
  const period = to && Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) > DAY_MS ? `${from} to ${to}` : from;
  const parts = shown.map((group) => `${group.service} ${money(group.amount, unit)}`);
  if (rest >= 0.005) parts.push(`other services ${money(rest, unit)}`);
  return [`- ${period}${result.Estimated ? ' (estimated)' : ''}: total ${money(total, unit)}${parts.length > 0 ? `; ${parts.join('; ')}` : ''}`];
}

function money(amount: number, unit: string): string {
  return unit === 'USD' ? `$${amount.toFixed(2)}` : `${amount.toFixed(2)} ${unit}`;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
