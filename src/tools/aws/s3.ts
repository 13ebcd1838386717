/** S3 buckets of the account (ListBuckets), optionally only those of one allowed region. */
import { ListBucketsCommand, S3Client, type Bucket } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { limitField, text, type Regions } from './fields.js';
import { count, utc } from './format.js';
import type { AwsToolSpec } from './runner.js';

const MAX_PAGES = 3;

export function s3BucketsTool(regions: Regions) {
  const schema = z
    .object({
      region: z
        .enum(regions as unknown as [string, ...string[]])
        .optional()
        .describe(`Only buckets in this region (allowed: ${regions.join(', ')}). Without it: the buckets of every region.`),
      namePrefix: z.string().min(1).max(63).optional().describe('Only buckets whose name starts with this.'),
      limit: limitField(100, 50, 'buckets'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_s3_buckets',
    description: 'Lists the S3 buckets of the account (S3 ListBuckets): name, region and creation date. Bucket contents are not read.',
    schema,
    operation: 's3:ListBuckets',
    reuseSeconds: 60,
    detail: (input) => (text(input.namePrefix) ? `prefix ${text(input.namePrefix)}` : undefined),
    async execute(input, run) {
      const s3 = run.client(S3Client);
      const buckets: Bucket[] = [];
      let continuationToken: string | undefined;
      let pages = 0;
      do {
        const params = {
          MaxBuckets: Math.min(1000, Math.max(input.limit, 100)),
          ...(input.region ? { BucketRegion: input.region } : {}),
          ...(input.namePrefix ? { Prefix: input.namePrefix } : {}),
          ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
        };
        const output = await run.call('s3:ListBuckets', params, (abortSignal) => s3.send(new ListBucketsCommand(params), { abortSignal }));
        buckets.push(...(output.Buckets ?? []));
        continuationToken = output.ContinuationToken;
        pages += 1;
      } while (continuationToken && buckets.length < input.limit && pages < MAX_PAGES);
      const shown = buckets.slice(0, input.limit);
      const scope = [input.region && `in ${input.region}`, input.namePrefix && `starting with "${input.namePrefix}"`].filter(Boolean).join(' ');
      const more = buckets.length > shown.length || continuationToken ? ' (more exist: use a name prefix)' : '';
      const header = `S3 buckets${scope ? ` ${scope}` : ''}: ${count(shown.length, 'bucket')} shown${more}.`;
      if (shown.length === 0) return `${header}\nNone.`;
      return [header, ...shown.map((bucket) => `- ${bucket.Name ?? '?'}: ${bucket.BucketRegion ?? 'region ?'}, created ${utc(bucket.CreationDate)}`)].join('\n');
    },
  };
  return spec;
}
