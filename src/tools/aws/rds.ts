/** RDS database instances (DescribeDBInstances). */
import { DescribeDBInstancesCommand, RDSClient, type DBInstance } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { limitField, regionField, text, type Regions } from './fields.js';
import { count, joinParts, utc } from './format.js';
import type { AwsToolSpec } from './runner.js';

const MAX_PAGES = 3;

export function rdsInstancesTool(regions: Regions) {
  const schema = z
    .object({
      region: regionField(regions),
      dbInstanceIdentifier: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[\w:-]+$/, 'must be a DB instance identifier or ARN')
        .optional()
        .describe('One DB instance (identifier or ARN). Without it: every instance of the region.'),
      limit: limitField(50, 20, 'DB instances'),
    })
    .strict();
  const spec: AwsToolSpec<z.infer<typeof schema>> = {
    name: 'aws_rds_instances',
    description:
      'Lists RDS database instances in one region (RDS DescribeDBInstances): status, engine and version, class, Multi-AZ, storage, endpoint, availability zone, pending changes and maintenance window.',
    schema,
    operation: 'rds:DescribeDBInstances',
    reuseSeconds: 20,
    detail: (input) => text(input.dbInstanceIdentifier),
    async execute(input, run) {
      const rds = run.client(RDSClient);
      const instances: DBInstance[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const params = {
          ...(input.dbInstanceIdentifier ? { DBInstanceIdentifier: input.dbInstanceIdentifier } : { MaxRecords: Math.max(20, Math.min(100, input.limit)) }),
          ...(marker ? { Marker: marker } : {}),
        };
        const output = await run.call('rds:DescribeDBInstances', params, (abortSignal) => rds.send(new DescribeDBInstancesCommand(params), { abortSignal }));
        instances.push(...(output.DBInstances ?? []));
        marker = output.Marker;
        pages += 1;
      } while (marker && instances.length < input.limit && pages < MAX_PAGES);
      const shown = instances.slice(0, input.limit);
      const more = instances.length > shown.length || marker ? ' (more exist)' : '';
      const header = `RDS DB instances in ${run.region}: ${count(shown.length, 'instance')} shown${more}.`;
      if (shown.length === 0) return `${header}\nNone.`;
      return [header, ...shown.map(instanceLine)].join('\n');
    },
  };
  return spec;
}

function instanceLine(db: DBInstance): string {
  const pending = db.PendingModifiedValues
    ? Object.entries(db.PendingModifiedValues)
        .filter(([, value]) => value !== undefined && typeof value !== 'object')
        .map(([key, value]) => `${key} ${String(value)}`)
        .join(', ')
    : '';
  return `- ${db.DBInstanceIdentifier ?? '?'}: ${joinParts([
    db.DBInstanceStatus,
    joinParts([db.Engine, db.EngineVersion], ' '),
    db.DBInstanceClass,
    db.MultiAZ ? 'Multi-AZ' : 'single-AZ',
    db.AllocatedStorage !== undefined ? `${db.AllocatedStorage} GB ${db.StorageType ?? ''}`.trim() : undefined,
    db.Endpoint?.Address && `endpoint ${db.Endpoint.Address}:${db.Endpoint.Port ?? '?'}`,
    db.AvailabilityZone,
    db.PubliclyAccessible ? 'publicly accessible' : undefined,
    db.StorageEncrypted === false ? 'storage not encrypted' : undefined,
    db.DBClusterIdentifier && `cluster ${db.DBClusterIdentifier}`,
    db.ReadReplicaSourceDBInstanceIdentifier && `replica of ${db.ReadReplicaSourceDBInstanceIdentifier}`,
    pending && `pending: ${pending}`,
    db.PreferredMaintenanceWindow && `maintenance ${db.PreferredMaintenanceWindow}`,
    db.LatestRestorableTime && `restorable to ${utc(db.LatestRestorableTime)}`,
  ])}`;
}
