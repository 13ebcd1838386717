/**
 * CloudWatch Logs FilterLogEvents over a short window: at most an hour long, ending within the
 * last 24 hours, and a bounded number of events and pages (a filter over a busy group can return
 * empty pages with a next token for a long time).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { limitField, regionField, text, type Regions } from './fields.js';
import { clip, count, utc } from './format.js';
import type { AwsToolSpec } from './runner.js';

const MAX_PAGES = 5;
const MAX_WINDOW_MINUTES = 60;
const MAX_LOOKBACK_MINUTES = 24 * 60;

export function logsSearchTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      logGroupName: z
        .string()
        .min(1)
        .max(512)
        .regex(/^[\w./#-]+$/, 'must be a log group name such as /aws/lambda/my-function')
        .describe('Log group name, e.g. /aws/lambda/my-function or /ecs/api.'),
      filterPattern: z
        .string()
        .max(1024)
        .optional()
        .describe('CloudWatch Logs filter pattern: terms (ERROR Exception), a quoted phrase ("Task timed out"), or a JSON pattern ({ $.level = "error" }). Empty: every event.'),
      minutes: z
        .number()
        .int()
        .min(1)
        .max(MAX_WINDOW_MINUTES)
        .default(15)
        .describe(`How long a window to search, in minutes (1-${MAX_WINDOW_MINUTES}, default 15).`),
      endMinutesAgo: z
        .number()
        .int()
        .min(0)
        .max(MAX_LOOKBACK_MINUTES - 1)
        .default(0)
        .describe('Where the window ends, in minutes before now (default 0: now). The window must lie within the last 24 hours.'),
      logStreamNamePrefix: z.string().min(1).max(512).optional().describe('Only streams whose name starts with this.'),
      limit: limitField(100, 50, 'events'),
    })
    .strict()
    .refine((input) => input.endMinutesAgo + input.minutes <= MAX_LOOKBACK_MINUTES, {
      message: 'the window must lie within the last 24 hours (endMinutesAgo + minutes ≤ 1440)',
      path: ['endMinutesAgo'],
    });
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_logs_search',
    description:
      'Searches one CloudWatch Logs log group over a short window (CloudWatch Logs FilterLogEvents): at most 60 minutes, ending up to 24 hours ago, with an optional filter pattern. Returns matching events with time and stream, oldest first. Use it for recent errors of a Lambda function or ECS service.',
    schema,
    operation: 'logs:FilterLogEvents',
    reuseSeconds: 20,
    detail: (input) => [text(input.logGroupName), text(input.filterPattern) && `"${text(input.filterPattern)}"`].filter(Boolean).join(' · ') || undefined,
    async execute(input, run) {
      const logs = run.client(CloudWatchLogsClient);
      const end = run.now.getTime() - input.endMinutesAgo * 60_000;
      const start = end - input.minutes * 60_000;
      const events: FilteredLogEvent[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const params = {
          logGroupName: input.logGroupName,
          startTime: start,
          endTime: end,
          limit: input.limit - events.length,
          ...(input.filterPattern ? { filterPattern: input.filterPattern } : {}),
          ...(input.logStreamNamePrefix ? { logStreamNamePrefix: input.logStreamNamePrefix } : {}),
          ...(nextToken ? { nextToken } : {}),
        };
        const output = await run.call('logs:FilterLogEvents', params, (abortSignal) => logs.send(new FilterLogEventsCommand(params), { abortSignal }));
        events.push(...(output.events ?? []));
        nextToken = output.nextToken;
        pages += 1;
      } while (nextToken && events.length < input.limit && pages < MAX_PAGES);

      const shown = events.slice(0, input.limit).sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
      const pattern = input.filterPattern ? ` matching ${JSON.stringify(input.filterPattern)}` : '';
      const more = nextToken ? ' (more may exist: narrow the window or the pattern)' : '';
      const header = `Log events in ${input.logGroupName} (${run.region})${pattern}, ${utc(start)} to ${utc(end)}: ${count(shown.length, 'event')}${more}.`;
      if (shown.length === 0) return `${header}\nNone.`;
      return [header, ...shown.map((event) => `- ${timeOfDay(event.timestamp)} [${clip(event.logStreamName, 60)}] ${clip(event.message, 400)}`)].join('\n');
    },
  };
  return spec;
}

/** `2026-11-30 04:26:12`: seconds matter in logs. */
function timeOfDay(timestamp: number | undefined): string {
  return timestamp === undefined ? '?' : new Date(timestamp).toISOString().slice(0, 19).replace('T', ' ');
}
