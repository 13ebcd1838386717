/**
 * A fake AWS endpoint for the account tools: one node:http server on 127.0.0.1 that the real
 * @aws-sdk/client-* packages reach through AWS_ENDPOINT_URL (or a client's `endpoint`). It routes
 * a request the way the installed clients address it (test/fakes/aws.md): by the service in the
 * SigV4 credential scope of the Authorization header, then by protocol — AWS query `Action=` for
 * STS, CloudFormation and RDS, EC2's query variant, `X-Amz-Target` for the JSON protocols (ECS,
 * CloudWatch Logs and Cost Explorer on JSON 1.1, CloudWatch on JSON 1.0 in query-compatible
 * mode), REST paths for Lambda (REST-JSON) and S3 (REST-XML). Signatures are not verified, but a
 * request without a SigV4-shaped Authorization header is refused like AWS refuses it.
 *
 * The account is `fake.account` (test/fakes/aws-state.ts), editable while the fake runs. Every
 * request is recorded in `fake.calls`. `deny`, `throttle` and `hang` make one operation fail
 * the way AWS fails it. STS AssumeRole issues temporary credentials the fake then recognises.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { defaultAwsAccount, type FakeAwsAccount, type FakeCluster, type FakeService, type FakeStack, type FakeTask } from './aws-state.js';
import {
  FakeAwsError,
  page,
  parseAuthorization,
  queryFilters,
  queryList,
  wildcardMatch,
  writeEc2Error,
  writeEc2Result,
  writeJsonError,
  writeJsonResult,
  writeQueryError,
  writeQueryResult,
  writeRestJsonError,
  writeRestJsonResult,
  writeS3Error,
  writeS3Result,
  type FakeAwsProtocol,
  type SigV4Scope,
  type XmlValue,
} from './aws-wire.js';
import { closeServer, listenOnLoopback, readBody } from './util.js';

export { defaultAwsAccount, LAMBDA_SECRET_VALUE } from './aws-state.js';
export type * from './aws-state.js';

export interface FakeAwsCall {
  /** IAM-style service prefix: sts, ec2, ecs, lambda, cloudwatch, logs, cloudformation, rds, s3, ce. */
  service: string;
  action: string;
  /** `service:Action`, e.g. `ecs:DescribeServices`. */
  operation: string;
  protocol: FakeAwsProtocol;
  /** From the SigV4 credential scope. */
  region: string;
  accessKeyId: string;
  /** The session name of the AssumeRole call that issued the access key, if it was one. */
  roleSessionName: string | undefined;
  /** Decoded request: query form fields, the JSON body, or REST path and query parameters. */
  params: Record<string, unknown>;
  status: number;
  requestId: string;
}

export interface FakeAssumedRole {
  roleArn: string;
  roleSessionName: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface FakeAwsOptions {
  account?: FakeAwsAccount;
  /** The moment the default account is built around. */
  now?: Date;
  /** Items per page where AWS would return more (smaller than AWS's own, to exercise paging). */
  pageSize?: Partial<Record<'logs' | 'stackEvents' | 'stacks', number>>;
}

export interface FakeAws {
  /** http://127.0.0.1:<port>: set as AWS_ENDPOINT_URL. */
  url: string;
  /** Environment pointing the SDK's default chain and endpoint resolution at this fake. */
  env: Record<string, string>;
  account: FakeAwsAccount;
  calls: FakeAwsCall[];
  assumedRoles: FakeAssumedRole[];
  callsTo(operation: string): FakeAwsCall[];
  /** Answers the operation (`ecs:ListClusters`, `sts:AssumeRole`) with the protocol's access-denied error. */
  deny(operation: string): void;
  /** Answers the operation with the protocol's throttling error, `times` times (default: until reset). */
  throttle(operation: string, times?: number): void;
  /** Never answers the operation (the request stays open until the client gives up or the fake closes). */
  hang(operation: string): void;
  /** Lifts deny/throttle/hang for one operation, or for all. */
  reset(operation?: string): void;
  close(): Promise<void>;
}

/** The long-term key pair the fake accepts (any AKIA… key is accepted; these are the ones `env` sets). */
export const FAKE_ACCESS_KEY_ID = 'AKIAFAKEBOT000000001';
export const FAKE_SECRET_ACCESS_KEY = 'fakeSecretKeyForTheLocalAwsFake0000000000';

interface Fault {
  kind: 'deny' | 'throttle' | 'hang';
  remaining: number;
}

interface RequestContext {
  scope: SigV4Scope;
  service: string;
  action: string;
  protocol: FakeAwsProtocol;
  requestId: string;
  assumed: FakeAssumedRole | undefined;
  call: FakeAwsCall;
}

const QUERY_SERVICES: Record<string, { namespace: string; version: string }> = {
  sts: { namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', version: '2011-06-15' },
  cloudformation: { namespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/', version: '2010-05-15' },
  rds: { namespace: 'http://rds.amazonaws.com/doc/2014-10-31/', version: '2014-10-31' },
};

/** JSON services by signing name: their X-Amz-Target prefix and JSON version. */
const JSON_SERVICES: Record<string, { service: string; target: string; protocol: 'json1.0' | 'json1.1' }> = {
  ecs: { service: 'ecs', target: 'AmazonEC2ContainerServiceV20141113', protocol: 'json1.1' },
  logs: { service: 'logs', target: 'Logs_20140328', protocol: 'json1.1' },
  ce: { service: 'ce', target: 'AWSInsightsIndexService', protocol: 'json1.1' },
  monitoring: { service: 'cloudwatch', target: 'GraniteServiceVersion20100801', protocol: 'json1.0' },
};

/** RDS names its list items after the shape; AWS query otherwise uses `member`. */
const RDS_ITEM_NAMES: Record<string, string> = { DBInstances: 'DBInstance' };

export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const account = options.account ?? defaultAwsAccount(options.now ?? new Date());
  const pageSize = { logs: 25, stackEvents: 100, stacks: 100, ...options.pageSize };
  const calls: FakeAwsCall[] = [];
  const assumedRoles: FakeAssumedRole[] = [];
  const faults = new Map<string, Fault>();

  const { server, port } = await listenOnLoopback(handle);
  const url = `http://127.0.0.1:${port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req)).toString('utf8');
    const requestUrl = new URL(req.url ?? '/', url);
    const requestId = randomUUID();
    const scope = parseAuthorization(header(req, 'authorization'));
    const protocol = protocolOf(req, scope, requestUrl);

    if (!scope) {
      const error = header(req, 'authorization')
        ? new FakeAwsError('IncompleteSignature', 'Authorization header requires a valid SigV4 Credential, SignedHeaders and Signature.', 400)
        : new FakeAwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
      calls.push({ service: '?', action: '?', operation: '?', protocol, region: '?', accessKeyId: '?', roleSessionName: undefined, params: {}, status: error.status, requestId });
      writeError(res, protocol, error, requestId);
      return;
    }

    let context: RequestContext | undefined;
    try {
      const { service, action, params } = identify(req, scope, requestUrl, body, protocol);
      const assumed = assumedRoles.find((role) => role.accessKeyId === scope.accessKeyId);
      const call: FakeAwsCall = {
        service,
        action,
        operation: `${service}:${action}`,
        protocol,
        region: scope.region,
        accessKeyId: scope.accessKeyId,
        roleSessionName: assumed?.roleSessionName,
        params,
        status: 200,
        requestId,
      };
      calls.push(call);
      context = { scope, service, action, protocol, requestId, assumed, call };
      checkCredentials(req, scope, assumed);
      const fault = faults.get(call.operation);
      if (fault) {
        if (fault.kind === 'hang') return;
        fault.remaining -= 1;
        if (fault.remaining <= 0) faults.delete(call.operation);
        throw fault.kind === 'deny' ? accessDenied(context) : throttled(context);
      }
      respond(res, context, params);
    } catch (error) {
      const failure = error instanceof FakeAwsError ? error : new FakeAwsError('InternalFailure', `fake: ${(error as Error).message}`, 500);
      if (!(error instanceof FakeAwsError)) console.error('[fake aws] handler error:', error);
      if (context) context.call.status = failure.status;
      writeError(res, protocol, failure, requestId, context);
    }
  }

  function respond(res: ServerResponse, context: RequestContext, params: Record<string, unknown>): void {
    const { action, service, requestId } = context;
    switch (context.protocol) {
      case 'query': {
        const result = queryHandler(context)(params as unknown as URLSearchParamsRecord, context);
        const settings = QUERY_SERVICES[service];
        if (!settings) throw new FakeAwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
        writeQueryResult(res, action, settings.namespace, result, requestId, (key) => (service === 'rds' ? (RDS_ITEM_NAMES[key] ?? 'member') : 'member'));
        return;
      }
      case 'ec2':
        writeEc2Result(res, action, ec2Handler(context)(params as unknown as URLSearchParamsRecord, context), requestId);
        return;
      case 'json1.0':
      case 'json1.1':
        writeJsonResult(res, context.protocol, jsonHandler(context)(params, context), requestId);
        return;
      case 'rest-json':
        writeRestJsonResult(res, lambdaHandler(context)(params, context), requestId);
        return;
      case 'rest-xml':
        s3ListBuckets(res, params, context);
        return;
    }
  }

  function writeError(res: ServerResponse, protocol: FakeAwsProtocol, error: FakeAwsError, requestId: string, context?: RequestContext): void {
    switch (protocol) {
      case 'query':
        writeQueryError(res, QUERY_SERVICES[context?.service ?? 'sts']?.namespace ?? QUERY_SERVICES.sts!.namespace, error, requestId);
        return;
      case 'ec2':
        writeEc2Error(res, error, requestId);
        return;
      case 'json1.0':
        // CloudWatch's JSON errors keep their query codes in x-amzn-query-error.
        writeJsonError(res, protocol, error, requestId, { jsonType: cloudwatchJsonType(error.code) });
        return;
      case 'json1.1':
        writeJsonError(res, protocol, error, requestId);
        return;
      case 'rest-json':
        writeRestJsonError(res, error, requestId);
        return;
      case 'rest-xml':
        writeS3Error(res, error, requestId);
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Credentials and faults

  function checkCredentials(req: IncomingMessage, scope: SigV4Scope, assumed: FakeAssumedRole | undefined): void {
    if (!scope.accessKeyId.startsWith('ASIA')) return;
    const token = header(req, 'x-amz-security-token');
    if (!assumed || token !== assumed.sessionToken || assumed.expiration.getTime() <= Date.now()) {
      throw invalidToken(scope.service);
    }
  }

  function callerArn(context: RequestContext): string {
    if (!context.assumed) return account.callerArn;
    const roleName = context.assumed.roleArn.split('/').pop() ?? 'role';
    return `arn:aws:sts::${account.accountId}:assumed-role/${roleName}/${context.assumed.roleSessionName}`;
  }

  function accessDenied(context: RequestContext): FakeAwsError {
    const who = callerArn(context);
    const because = `because no identity-based policy allows the ${context.call.operation} action`;
    switch (context.protocol) {
      case 'ec2':
        return new FakeAwsError('UnauthorizedOperation', `You are not authorized to perform this operation. User: ${who} is not authorized to perform: ${context.call.operation} ${because}`, 403);
      case 'rest-xml':
        return new FakeAwsError('AccessDenied', 'Access Denied', 403);
      case 'query':
        return new FakeAwsError('AccessDenied', `User: ${who} is not authorized to perform: ${context.call.operation} ${because}`, 403);
      case 'json1.0':
        return new FakeAwsError('AccessDenied', `User: ${who} is not authorized to perform: ${context.call.operation} ${because}`, 403);
      case 'json1.1':
        return new FakeAwsError('AccessDeniedException', `User: ${who} is not authorized to perform: ${context.call.operation} ${because}`, 400);
      case 'rest-json':
        return new FakeAwsError('AccessDeniedException', `User: ${who} is not authorized to perform: ${context.call.operation} ${because}`, 403);
    }
  }

  function throttled(context: RequestContext): FakeAwsError {
    switch (context.protocol) {
      case 'ec2':
        return new FakeAwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
      case 'rest-xml':
        return new FakeAwsError('SlowDown', 'Please reduce your request rate.', 503);
      case 'query':
      case 'json1.0':
        return new FakeAwsError('Throttling', 'Rate exceeded', 400);
      case 'json1.1':
        return context.service === 'ce' ? new FakeAwsError('LimitExceededException', 'Rate exceeded', 400) : new FakeAwsError('ThrottlingException', 'Rate exceeded', 400);
      case 'rest-json':
        return new FakeAwsError('TooManyRequestsException', 'Rate exceeded', 429, 'Sender', { 'retry-after': '1' });
    }
  }

  // -------------------------------------------------------------------------------------------
  // STS, CloudFormation, RDS (AWS query) and EC2

  type URLSearchParamsRecord = Record<string, string>;
  type QueryHandler = (params: URLSearchParamsRecord, context: RequestContext) => XmlValue;

  function queryHandler(context: RequestContext): QueryHandler {
    const handlers: Record<string, QueryHandler> = {
      'sts:GetCallerIdentity': (_params, ctx) => ({
        UserId: ctx.assumed ? `AROAQ3EGV7EXAMPLEROL:${ctx.assumed.roleSessionName}` : account.callerUserId,
        Account: account.accountId,
        Arn: callerArn(ctx),
      }),
      'sts:AssumeRole': (params) => assumeRole(params),
      'cloudformation:DescribeStacks': (params, ctx) => describeStacks(params, ctx),
      'cloudformation:DescribeStackEvents': (params, ctx) => describeStackEvents(params, ctx),
      'rds:DescribeDBInstances': (params, ctx) => describeDbInstances(params, ctx),
    };
    return handlers[context.call.operation] ?? unknownAction;
  }

  function unknownAction(_params: unknown, context: RequestContext): never {
    throw new FakeAwsError('InvalidAction', `The fake does not implement ${context.call.operation}.`, 400);
  }

  function assumeRole(params: URLSearchParamsRecord): XmlValue {
    const roleArn = params.RoleArn ?? '';
    const sessionName = params.RoleSessionName ?? '';
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) throw new FakeAwsError('ValidationError', `${roleArn} is invalid`, 400);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new FakeAwsError('ValidationError', "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", 400);
    }
    const duration = Number(params.DurationSeconds ?? 3600);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) throw new FakeAwsError('ValidationError', 'DurationSeconds must be between 900 and 43200', 400);
    const role: FakeAssumedRole = {
      roleArn,
      roleSessionName: sessionName,
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(60).toString('base64')}`,
      expiration: new Date(Date.now() + duration * 1000),
    };
    assumedRoles.push(role);
    const roleName = roleArn.split('/').pop() ?? 'role';
    return {
      Credentials: { AccessKeyId: role.accessKeyId, SecretAccessKey: role.secretAccessKey, SessionToken: role.sessionToken, Expiration: role.expiration },
      AssumedRoleUser: { AssumedRoleId: `AROAQ3EGV7EXAMPLEROL:${sessionName}`, Arn: `arn:aws:sts::${account.accountId}:assumed-role/${roleName}/${sessionName}` },
      PackedPolicySize: undefined,
    };
  }

  function stackId(stack: FakeStack, region: string): string {
    return `arn:aws:cloudformation:${region}:${account.accountId}:stack/${stack.name}/${Buffer.from(stack.name).toString('hex').slice(0, 8)}-0000-0000-0000-000000000000`;
  }

  function findStack(reference: string, context: RequestContext): FakeStack {
    const stack = account.stacks.find((candidate) => candidate.name === reference || stackId(candidate, context.scope.region) === reference);
    if (!stack) throw new FakeAwsError('ValidationError', `Stack with id ${reference} does not exist`, 400);
    return stack;
  }

  function describeStacks(params: URLSearchParamsRecord, context: RequestContext): XmlValue {
    const stacks = params.StackName ? [findStack(params.StackName, context)] : account.stacks;
    const { items, next } = page(stacks, params.NextToken, pageSize.stacks);
    return {
      Stacks: items.map((stack) => ({
        StackId: stackId(stack, context.scope.region),
        StackName: stack.name,
        CreationTime: stack.created,
        LastUpdatedTime: stack.updated,
        StackStatus: stack.status,
        StackStatusReason: stack.statusReason,
        DisableRollback: false,
        Outputs: Object.entries(stack.outputs).map(([key, value]) => ({ OutputKey: key, OutputValue: value })),
        Tags: [],
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken: next,
    };
  }

  function describeStackEvents(params: URLSearchParamsRecord, context: RequestContext): XmlValue {
    if (!params.StackName) throw new FakeAwsError('ValidationError', 'StackName is required', 400);
    const stack = findStack(params.StackName, context);
    const newestFirst = [...stack.events].sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
    const { items, next } = page(newestFirst, params.NextToken, pageSize.stackEvents);
    return {
      StackEvents: items.map((event) => ({
        StackId: stackId(stack, context.scope.region),
        EventId: event.id,
        StackName: stack.name,
        LogicalResourceId: event.logicalId,
        PhysicalResourceId: event.physicalId,
        ResourceType: event.type,
        Timestamp: event.timestamp,
        ResourceStatus: event.status,
        ResourceStatusReason: event.reason,
      })),
      NextToken: next,
    };
  }

  function describeDbInstances(params: URLSearchParamsRecord, context: RequestContext): XmlValue {
    const maxRecords = params.MaxRecords === undefined ? 100 : Number(params.MaxRecords);
    if (!Number.isInteger(maxRecords) || maxRecords < 20 || maxRecords > 100) {
      throw new FakeAwsError('InvalidParameterValue', 'Invalid value for MaxRecords. Must be between 20 and 100', 400);
    }
    let instances = account.dbInstances;
    if (params.DBInstanceIdentifier) {
      instances = instances.filter((db) => db.id === params.DBInstanceIdentifier || dbArn(db.id, context) === params.DBInstanceIdentifier);
      if (instances.length === 0) throw new FakeAwsError('DBInstanceNotFound', `DBInstance ${params.DBInstanceIdentifier} not found.`, 404);
    }
    const { items, next } = page(instances, params.Marker, maxRecords);
    return {
      DBInstances: items.map((db) => ({
        DBInstanceIdentifier: db.id,
        DBInstanceClass: db.instanceClass,
        Engine: db.engine,
        DBInstanceStatus: db.status,
        MasterUsername: 'postgres',
        Endpoint: { Address: db.endpoint.address, Port: db.endpoint.port, HostedZoneId: 'Z29XKXDKYMONMX' },
        AllocatedStorage: db.storageGb,
        AvailabilityZone: db.az,
        PreferredMaintenanceWindow: 'sun:03:00-sun:03:30',
        MultiAZ: db.multiAz,
        EngineVersion: db.engineVersion,
        PubliclyAccessible: false,
        StorageType: db.storageType,
        StorageEncrypted: true,
        DBInstanceArn: dbArn(db.id, context),
      })),
      Marker: next,
    };
  }

  function dbArn(id: string, context: RequestContext): string {
    return `arn:aws:rds:${context.scope.region}:${account.accountId}:db:${id}`;
  }

  function ec2Handler(context: RequestContext): QueryHandler {
    if (context.call.operation !== 'ec2:DescribeInstances') return unknownAction;
    return (params) => {
      const form = new URLSearchParams(params);
      const ids = queryList(form, 'InstanceId');
      const filters = queryFilters(form);
      const maxResults = form.get('MaxResults');
      if (maxResults !== null && ids.length > 0) {
        throw new FakeAwsError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults', 400);
      }
      if (maxResults !== null && (Number(maxResults) < 5 || Number(maxResults) > 1000)) {
        throw new FakeAwsError('InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value greater than 5.`, 400);
      }
      const missing = ids.filter((id) => !account.instances.some((instance) => instance.id === id));
      if (missing.length > 0) throw new FakeAwsError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`, 400);
      const matched = account.instances.filter(
        (instance) =>
          (ids.length === 0 || ids.includes(instance.id)) &&
          filters.every((filter) => {
            if (filter.name === 'instance-state-name') return filter.values.includes(instance.state);
            if (filter.name === 'instance-id') return filter.values.includes(instance.id);
            if (filter.name.startsWith('tag:')) {
              const tags: Record<string, string> = { ...(instance.name ? { Name: instance.name } : {}), ...instance.tags };
              const value = tags[filter.name.slice(4)];
              return value !== undefined && filter.values.some((pattern) => wildcardMatch(pattern, value));
            }
            throw new FakeAwsError('InvalidParameterValue', `The filter '${filter.name}' is invalid`, 400);
          }),
      );
      const { items, next } = page(matched, form.get('NextToken'), maxResults === null ? 1000 : Number(maxResults));
      const stateCodes: Record<string, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };
      return {
        reservationSet: items.map((instance) => ({
          reservationId: `r-${instance.id.slice(2)}`,
          ownerId: account.accountId,
          groupSet: [],
          instancesSet: [
            {
              instanceId: instance.id,
              imageId: 'ami-0123456789abcdef0',
              instanceState: { code: stateCodes[instance.state] ?? 0, name: instance.state },
              privateDnsName: instance.privateIp ? `ip-${instance.privateIp.replace(/\./g, '-')}.${context.scope.region}.compute.internal` : undefined,
              reason: instance.transitionReason ?? '',
              instanceType: instance.type,
              launchTime: instance.launchTime,
              placement: { availabilityZone: instance.az, tenancy: 'default' },
              privateIpAddress: instance.privateIp,
              ipAddress: instance.publicIp,
              stateReason: instance.stateReason,
              architecture: 'x86_64',
              tagSet: Object.entries({ ...(instance.name ? { Name: instance.name } : {}), ...instance.tags }).map(([key, value]) => ({ key, value })),
            },
          ],
        })),
        nextToken: next,
      };
    };
  }

  // -------------------------------------------------------------------------------------------
  // ECS, CloudWatch Logs, Cost Explorer (JSON 1.1) and CloudWatch (JSON 1.0)

  type JsonHandler = (params: Record<string, unknown>, context: RequestContext) => unknown;

  function jsonHandler(context: RequestContext): JsonHandler {
    const handlers: Record<string, JsonHandler> = {
      'ecs:ListClusters': (params) => {
        const { items, next } = page(account.clusters, stringOf(params.nextToken), numberOf(params.maxResults, 100));
        return { clusterArns: items.map((cluster) => clusterArn(cluster, context)), nextToken: next };
      },
      'ecs:DescribeClusters': (params) => {
        const references = (params.clusters as string[] | undefined) ?? ['default'];
        const clusters = references.map((reference) => account.clusters.find((cluster) => cluster.name === lastSegment(reference)));
        return {
          clusters: clusters.flatMap((cluster) =>
            cluster
              ? [
                  {
                    clusterArn: clusterArn(cluster, context),
                    clusterName: cluster.name,
                    status: cluster.status,
                    registeredContainerInstancesCount: 0,
                    runningTasksCount: cluster.tasks.filter((task) => task.lastStatus === 'RUNNING').length,
                    pendingTasksCount: cluster.tasks.filter((task) => task.lastStatus === 'PENDING').length,
                    activeServicesCount: cluster.services.filter((service) => service.status === 'ACTIVE').length,
                  },
                ]
              : [],
          ),
          failures: references
            .filter((_, index) => !clusters[index])
            .map((reference) => ({ arn: `arn:aws:ecs:${context.scope.region}:${account.accountId}:cluster/${lastSegment(reference)}`, reason: 'MISSING' })),
        };
      },
      'ecs:ListServices': (params) => {
        const cluster = findCluster(params.cluster);
        const maxResults = numberOf(params.maxResults, 10);
        if (maxResults < 1 || maxResults > 100) throw new FakeAwsError('InvalidParameterException', 'maxResults must be between 1 and 100.', 400);
        const { items, next } = page(cluster.services, stringOf(params.nextToken), maxResults);
        return { serviceArns: items.map((service) => serviceArn(cluster, service, context)), nextToken: next };
      },
      'ecs:DescribeServices': (params) => {
        const cluster = findCluster(params.cluster);
        const references = (params.services as string[] | undefined) ?? [];
        if (references.length === 0 || references.length > 10) throw new FakeAwsError('InvalidParameterException', 'services can have at most 10 items.', 400);
        const found = references.map((reference) => cluster.services.find((service) => service.name === lastSegment(reference)));
        return {
          services: found.flatMap((service) => (service ? [serviceJson(cluster, service, context)] : [])),
          failures: references.filter((_, index) => !found[index]).map((reference) => ({ arn: reference.startsWith('arn:') ? reference : `arn:aws:ecs:${context.scope.region}:${account.accountId}:service/${cluster.name}/${reference}`, reason: 'MISSING' })),
        };
      },
      'ecs:ListTasks': (params) => {
        const cluster = findCluster(params.cluster);
        const serviceName = stringOf(params.serviceName);
        if (serviceName && !cluster.services.some((service) => service.name === lastSegment(serviceName))) {
          throw new FakeAwsError('ServiceNotFoundException', 'Service not found.', 400);
        }
        const desired = stringOf(params.desiredStatus) ?? 'RUNNING';
        const tasks = cluster.tasks.filter((task) => task.desiredStatus === desired && (!serviceName || task.service === lastSegment(serviceName)));
        const { items, next } = page(tasks, stringOf(params.nextToken), numberOf(params.maxResults, 100));
        return { taskArns: items.map((task) => taskArn(cluster, task, context)), nextToken: next };
      },
      'ecs:DescribeTasks': (params) => {
        const cluster = findCluster(params.cluster);
        const references = (params.tasks as string[] | undefined) ?? [];
        if (references.length === 0 || references.length > 100) throw new FakeAwsError('InvalidParameterException', 'Tasks cannot be empty.', 400);
        const found = references.map((reference) => cluster.tasks.find((task) => task.id === lastSegment(reference)));
        return {
          tasks: found.flatMap((task) => (task ? [taskJson(cluster, task, context)] : [])),
          failures: references.filter((_, index) => !found[index]).map((reference) => ({ arn: reference, reason: 'MISSING' })),
        };
      },
      'logs:FilterLogEvents': (params) => filterLogEvents(params),
      'ce:GetCostAndUsage': (params) => costAndUsage(params),
      'cloudwatch:DescribeAlarms': (params) => describeAlarms(params, context),
      'cloudwatch:GetMetricStatistics': (params) => metricStatistics(params),
    };
    return handlers[context.call.operation] ?? unknownAction;
  }

  function findCluster(reference: unknown): FakeCluster {
    const name = lastSegment(stringOf(reference) ?? 'default');
    const cluster = account.clusters.find((candidate) => candidate.name === name);
    if (!cluster) throw new FakeAwsError('ClusterNotFoundException', 'Cluster not found.', 400);
    return cluster;
  }

  function clusterArn(cluster: FakeCluster, context: RequestContext): string {
    return `arn:aws:ecs:${context.scope.region}:${account.accountId}:cluster/${cluster.name}`;
  }

  function serviceArn(cluster: FakeCluster, service: FakeService, context: RequestContext): string {
    return `arn:aws:ecs:${context.scope.region}:${account.accountId}:service/${cluster.name}/${service.name}`;
  }

  function taskArn(cluster: FakeCluster, task: FakeTask, context: RequestContext): string {
    return `arn:aws:ecs:${context.scope.region}:${account.accountId}:task/${cluster.name}/${task.id}`;
  }

  function taskDefinitionArn(family: string, context: RequestContext): string {
    return `arn:aws:ecs:${context.scope.region}:${account.accountId}:task-definition/${family}`;
  }

  function serviceJson(cluster: FakeCluster, service: FakeService, context: RequestContext): unknown {
    return {
      serviceArn: serviceArn(cluster, service, context),
      serviceName: service.name,
      clusterArn: clusterArn(cluster, context),
      status: service.status,
      desiredCount: service.desiredCount,
      runningCount: service.runningCount,
      pendingCount: service.pendingCount,
      launchType: service.launchType,
      taskDefinition: taskDefinitionArn(service.taskDefinition, context),
      deployments: service.deployments.map((deployment) => ({
        id: deployment.id,
        status: deployment.status,
        taskDefinition: taskDefinitionArn(deployment.taskDefinition, context),
        desiredCount: deployment.desiredCount,
        pendingCount: deployment.pendingCount,
        runningCount: deployment.runningCount,
        failedTasks: deployment.failedTasks,
        createdAt: deployment.createdAt,
        updatedAt: deployment.updatedAt,
        launchType: service.launchType,
        rolloutState: deployment.rolloutState,
        rolloutStateReason: deployment.rolloutStateReason,
      })),
      // ECS keeps the latest 100 events, newest first.
      events: service.events.slice(0, 100).map((event) => ({ id: event.id, createdAt: event.createdAt, message: event.message })),
      createdAt: service.deployments.at(-1)?.createdAt,
      schedulingStrategy: 'REPLICA',
    };
  }

  function taskJson(cluster: FakeCluster, task: FakeTask, context: RequestContext): unknown {
    const arn = taskArn(cluster, task, context);
    return {
      taskArn: arn,
      clusterArn: clusterArn(cluster, context),
      taskDefinitionArn: taskDefinitionArn(task.taskDefinition, context),
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      launchType: task.launchType,
      group: task.service ? `service:${task.service}` : 'family:adhoc',
      createdAt: task.createdAt,
      startedAt: task.startedAt,
      stoppedAt: task.stoppedAt,
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      healthStatus: task.healthStatus,
      containers: task.containers.map((container) => ({
        containerArn: `${arn.replace(':task/', ':container/')}/${container.name}`,
        taskArn: arn,
        name: container.name,
        lastStatus: container.lastStatus,
        exitCode: container.exitCode,
        reason: container.reason,
        healthStatus: container.healthStatus,
      })),
    };
  }

  function filterLogEvents(params: Record<string, unknown>): unknown {
    const name = stringOf(params.logGroupName);
    const group = account.logGroups.find((candidate) => candidate.name === name);
    if (!group) throw new FakeAwsError('ResourceNotFoundException', 'The specified log group does not exist.', 400);
    const limit = numberOf(params.limit, 10_000);
    if (limit < 1 || limit > 10_000) throw new FakeAwsError('InvalidParameterException', '1 validation error detected: Value at \'limit\' failed to satisfy constraint', 400);
    const start = numberOf(params.startTime, 0);
    const end = numberOf(params.endTime, Number.MAX_SAFE_INTEGER);
    const prefix = stringOf(params.logStreamNamePrefix);
    const matches = logPatternMatcher(stringOf(params.filterPattern) ?? '');
    const events = group.events
      .filter((event) => event.timestamp >= start && event.timestamp <= end && (!prefix || event.stream.startsWith(prefix)) && matches(event.message))
      .sort((a, b) => a.timestamp - b.timestamp);
    const { items, next } = page(events, stringOf(params.nextToken), Math.min(limit, pageSize.logs));
    return {
      events: items.map((event, index) => ({ logStreamName: event.stream, timestamp: event.timestamp, message: event.message, ingestionTime: event.timestamp + 500, eventId: `${event.timestamp}${index}` })),
      searchedLogStreams: [],
      nextToken: next,
    };
  }

  function costAndUsage(params: Record<string, unknown>): unknown {
    const period = params.TimePeriod as { Start?: string; End?: string } | undefined;
    const start = period?.Start ?? '';
    const end = period?.End ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(end)) throw new FakeAwsError('ValidationException', 'Time period must be in YYYY-MM-DD format', 400);
    if (start >= end) throw new FakeAwsError('ValidationException', 'Start date (and hour) should be before end date (and hour)', 400);
    const granularity = stringOf(params.Granularity);
    if (granularity !== 'DAILY' && granularity !== 'MONTHLY') throw new FakeAwsError('ValidationException', 'Granularity must be DAILY, MONTHLY or HOURLY', 400);
    const metrics = (params.Metrics as string[] | undefined) ?? [];
    if (metrics.length === 0) throw new FakeAwsError('ValidationException', 'Metrics cannot be empty', 400);
    const groupBy = (params.GroupBy as { Type?: string; Key?: string }[] | undefined) ?? [];
    const byService = groupBy.some((group) => group.Type === 'DIMENSION' && group.Key === 'SERVICE');
    const periods = splitPeriods(start, end, granularity);
    const today = new Date().toISOString().slice(0, 10);
    return {
      GroupDefinitions: byService ? [{ Type: 'DIMENSION', Key: 'SERVICE' }] : [],
      ResultsByTime: periods.map(([from, to]) => {
        const inPeriod = account.costs.filter((cost) => cost.day >= from && cost.day < to);
        const totals = new Map<string, number>();
        for (const cost of inPeriod) totals.set(cost.service, (totals.get(cost.service) ?? 0) + cost.amount);
        const metricValues = (amount: number) => Object.fromEntries(metrics.map((metric) => [metric, { Amount: amount.toFixed(10), Unit: 'USD' }]));
        const sum = [...totals.values()].reduce((total, amount) => total + amount, 0);
        return {
          TimePeriod: { Start: from, End: to },
          Total: byService ? {} : metricValues(sum),
          Groups: byService ? [...totals].map(([service, amount]) => ({ Keys: [service], Metrics: metricValues(amount) })) : [],
          Estimated: to > today,
        };
      }),
      DimensionValueAttributes: [],
    };
  }

  function describeAlarms(params: Record<string, unknown>, context: RequestContext): unknown {
    const state = stringOf(params.StateValue);
    const prefix = stringOf(params.AlarmNamePrefix);
    const types = (params.AlarmTypes as string[] | undefined) ?? ['MetricAlarm'];
    const maxRecords = numberOf(params.MaxRecords, 50);
    if (maxRecords < 1 || maxRecords > 100) throw new FakeAwsError('InvalidParameterValue', 'The parameter MaxRecords must be between 1 and 100.', 400);
    const alarms = types.includes('MetricAlarm') ? account.alarms.filter((alarm) => (!state || alarm.state === state) && (!prefix || alarm.name.startsWith(prefix))) : [];
    const { items, next } = page(alarms, stringOf(params.NextToken), maxRecords);
    return {
      MetricAlarms: items.map((alarm) => ({
        AlarmName: alarm.name,
        AlarmArn: `arn:aws:cloudwatch:${context.scope.region}:${account.accountId}:alarm:${alarm.name}`,
        ActionsEnabled: true,
        StateValue: alarm.state,
        StateReason: alarm.stateReason,
        StateUpdatedTimestamp: alarm.stateUpdated,
        MetricName: alarm.metricName,
        Namespace: alarm.namespace,
        Statistic: alarm.statistic,
        Dimensions: Object.entries(alarm.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Period: alarm.period,
        EvaluationPeriods: alarm.evaluationPeriods,
        Threshold: alarm.threshold,
        ComparisonOperator: alarm.comparisonOperator,
      })),
      CompositeAlarms: [],
      NextToken: next,
    };
  }

  function metricStatistics(params: Record<string, unknown>): unknown {
    const start = numberOf(params.StartTime, Number.NaN) * 1000;
    const end = numberOf(params.EndTime, Number.NaN) * 1000;
    const period = numberOf(params.Period, Number.NaN);
    if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) throw new FakeAwsError('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.', 400);
    if (!Number.isInteger(period) || period < 1 || (period >= 60 && period % 60 !== 0)) throw new FakeAwsError('InvalidParameterValue', 'The parameter Period must be a multiple of 60.', 400);
    const points = (end - start) / 1000 / period;
    if (points > 1440) throw new FakeAwsError('InvalidParameterCombination', `You have requested up to ${Math.ceil(points)} datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`, 400);
    const statistics = (params.Statistics as string[] | undefined) ?? [];
    if (statistics.length === 0) throw new FakeAwsError('MissingParameter', 'The parameter Statistics is required.', 400);
    const dimensions = Object.fromEntries(((params.Dimensions as { Name: string; Value: string }[] | undefined) ?? []).map((dimension) => [dimension.Name, dimension.Value]));
    const metric = account.metrics.find(
      (candidate) =>
        candidate.namespace === params.Namespace &&
        candidate.name === params.MetricName &&
        Object.keys(candidate.dimensions).length === Object.keys(dimensions).length &&
        Object.entries(candidate.dimensions).every(([name, value]) => dimensions[name] === value),
    );
    const buckets = new Map<number, number[]>();
    for (const sample of metric?.samples ?? []) {
      const time = sample.timestamp.getTime();
      if (time < start || time >= end) continue;
      const bucket = start + Math.floor((time - start) / (period * 1000)) * period * 1000;
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), sample.value]);
    }
    return {
      Label: stringOf(params.MetricName),
      Datapoints: [...buckets].map(([bucket, values]) => {
        const sum = values.reduce((total, value) => total + value, 0);
        const all: Record<string, number> = { Average: sum / values.length, Sum: sum, Minimum: Math.min(...values), Maximum: Math.max(...values), SampleCount: values.length };
        return { Timestamp: new Date(bucket), ...Object.fromEntries(statistics.map((statistic) => [statistic, all[statistic]])), Unit: metric?.unit ?? 'None' };
      }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Lambda (REST-JSON) and S3 (REST-XML)

  function lambdaHandler(context: RequestContext): JsonHandler {
    if (context.call.operation === 'lambda:ListFunctions') {
      return (params) => {
        const maxItems = numberOf(params.MaxItems, 50);
        if (maxItems < 1 || maxItems > 10_000) throw new FakeAwsError('InvalidParameterValueException', 'MaxItems must be between 1 and 10000', 400);
        const { items, next } = page(account.functions, stringOf(params.Marker), Math.min(maxItems, 50));
        return { Functions: items.map((fn) => functionJson(fn.name, context)), NextMarker: next };
      };
    }
    if (context.call.operation === 'lambda:GetFunctionConfiguration') return (params) => functionJson(stringOf(params.FunctionName) ?? '', context, stringOf(params.Qualifier));
    return unknownAction;
  }

  function functionJson(reference: string, context: RequestContext, qualifier?: string): unknown {
    const name = reference.startsWith('arn:') ? (reference.split(':')[6] ?? reference) : reference;
    const fn = account.functions.find((candidate) => candidate.name === name);
    const arn = `arn:aws:lambda:${context.scope.region}:${account.accountId}:function:${name}`;
    if (!fn || (qualifier !== undefined && qualifier !== '$LATEST')) {
      throw new FakeAwsError('ResourceNotFoundException', `Function not found: ${arn}${qualifier ? `:${qualifier}` : ''}`, 404);
    }
    return {
      FunctionName: fn.name,
      FunctionArn: arn,
      Runtime: fn.runtime,
      Role: fn.role,
      Handler: fn.handler,
      CodeSize: 2_482_113,
      Description: '',
      Timeout: fn.timeout,
      MemorySize: fn.memorySize,
      LastModified: fn.lastModified,
      CodeSha256: 'bS1kZmFrZS1jb2RlLXNoYTI1Ni1mb3ItdGVzdHMtb25seQ==',
      Version: '$LATEST',
      // Exactly what AWS returns: the values too. The tools must drop them.
      Environment: { Variables: { ...fn.environment } },
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: '0c6a6c9e-0000-4000-8000-000000000000',
      Layers: (fn.layers ?? []).map((layer) => ({ Arn: layer, CodeSize: 1024 })),
      State: fn.state,
      StateReason: fn.stateReason,
      LastUpdateStatus: fn.lastUpdateStatus,
      PackageType: 'Zip',
      Architectures: fn.architectures,
      EphemeralStorage: { Size: 512 },
    };
  }

  function s3ListBuckets(res: ServerResponse, params: Record<string, unknown>, context: RequestContext): void {
    if (context.call.operation !== 's3:ListBuckets') unknownAction(params, context);
    const region = stringOf(params['bucket-region']);
    const prefix = stringOf(params.prefix);
    const buckets = account.buckets.filter((bucket) => (!region || bucket.region === region) && (!prefix || bucket.name.startsWith(prefix)));
    const maxBuckets = numberOf(params['max-buckets'], 10_000);
    const { items, next } = page(buckets, stringOf(params['continuation-token']), maxBuckets);
    writeS3Result(
      res,
      'ListAllMyBucketsResult',
      {
        Owner: { ID: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6abcd', DisplayName: 'acme' },
        Buckets: items.map((bucket) => ({ Name: bucket.name, CreationDate: bucket.created, BucketRegion: bucket.region })),
        ContinuationToken: next,
        Prefix: prefix,
      },
      context.requestId,
      () => 'Bucket',
    );
  }

  // -------------------------------------------------------------------------------------------

  return {
    url,
    env: { AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: FAKE_SECRET_ACCESS_KEY },
    account,
    calls,
    assumedRoles,
    callsTo: (operation) => calls.filter((call) => call.operation === operation),
    deny: (operation) => void faults.set(operation, { kind: 'deny', remaining: Number.POSITIVE_INFINITY }),
    throttle: (operation, times = Number.POSITIVE_INFINITY) => void faults.set(operation, { kind: 'throttle', remaining: times }),
    hang: (operation) => void faults.set(operation, { kind: 'hang', remaining: Number.POSITIVE_INFINITY }),
    reset: (operation) => (operation === undefined ? faults.clear() : void faults.delete(operation)),
    close: () => closeServer(server),
  };
}

// ---------------------------------------------------------------------------------------------
// Routing

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function protocolOf(req: IncomingMessage, scope: SigV4Scope | undefined, url: URL): FakeAwsProtocol {
  const target = header(req, 'x-amz-target');
  const contentType = header(req, 'content-type') ?? '';
  if (target) return contentType.includes('json-1.0') ? 'json1.0' : 'json1.1';
  if (scope?.service === 'ec2') return 'ec2';
  if (scope?.service === 'lambda' || url.pathname.startsWith('/2015-03-31/')) return 'rest-json';
  if (scope?.service === 's3') return 'rest-xml';
  if (contentType.startsWith('application/x-www-form-urlencoded')) return 'query';
  return 'rest-xml';
}

function identify(req: IncomingMessage, scope: SigV4Scope, url: URL, body: string, protocol: FakeAwsProtocol): { service: string; action: string; params: Record<string, unknown> } {
  switch (protocol) {
    case 'query':
    case 'ec2': {
      const form = new URLSearchParams(body);
      const action = form.get('Action');
      const settings = protocol === 'ec2' ? { version: '2016-11-15' } : QUERY_SERVICES[scope.service];
      if (!action || !settings) throw new FakeAwsError('InvalidAction', `Could not find operation ${action ?? '(none)'} for ${scope.service}`, 400);
      if (form.get('Version') !== settings.version) throw new FakeAwsError('InvalidParameterValue', `Unsupported API version ${form.get('Version')}`, 400);
      return { service: scope.service, action, params: Object.fromEntries(form) };
    }
    case 'json1.0':
    case 'json1.1': {
      const settings = JSON_SERVICES[scope.service];
      const [prefix, action] = (header(req, 'x-amz-target') ?? '').split('.');
      if (!settings || prefix !== settings.target || !action || protocol !== settings.protocol) {
        throw new FakeAwsError('UnknownOperationException', `Unknown target ${header(req, 'x-amz-target')} for ${scope.service} over ${protocol}`, 400);
      }
      if (settings.service === 'cloudwatch' && header(req, 'x-amzn-query-mode') !== 'true') {
        throw new FakeAwsError('UnknownOperationException', 'CloudWatch JSON requests from the SDK carry x-amzn-query-mode: true', 400);
      }
      let params: Record<string, unknown>;
      try {
        params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        throw new FakeAwsError('SerializationException', 'Request body is not valid JSON', 400);
      }
      return { service: settings.service, action, params };
    }
    case 'rest-json': {
      const match = /^\/2015-03-31\/functions(?:\/([^/]+)\/configuration)?\/?$/.exec(url.pathname);
      const query = Object.fromEntries(url.searchParams);
      if (req.method === 'GET' && match && match[1] === undefined) return { service: 'lambda', action: 'ListFunctions', params: query };
      if (req.method === 'GET' && match?.[1]) return { service: 'lambda', action: 'GetFunctionConfiguration', params: { FunctionName: decodeURIComponent(match[1]), ...query } };
      throw new FakeAwsError('UnknownOperationException', `The fake does not implement ${req.method} ${url.pathname}`, 404);
    }
    case 'rest-xml': {
      const query = Object.fromEntries(url.searchParams);
      if (req.method === 'GET' && url.pathname === '/' && (query['x-id'] === 'ListBuckets' || query['x-id'] === undefined)) return { service: 's3', action: 'ListBuckets', params: query };
      throw new FakeAwsError('NotImplemented', `The fake does not implement ${req.method} ${url.pathname}`, 501);
    }
  }
}

function invalidToken(service: string): FakeAwsError {
  if (service === 'ec2') return new FakeAwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  if (service === 's3') return new FakeAwsError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403);
  if (service in QUERY_SERVICES) return new FakeAwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  return new FakeAwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
}

/** CloudWatch's JSON `__type` for a query error code (the SDK reads the code from x-amzn-query-error). */
function cloudwatchJsonType(code: string): string {
  const types: Record<string, string> = {
    AccessDenied: 'com.amazon.coral.service#AccessDeniedException',
    Throttling: 'com.amazon.coral.availability#ThrottlingException',
    UnrecognizedClientException: 'com.amazon.coral.service#UnrecognizedClientException',
  };
  return types[code] ?? `com.amazonaws.cloudwatch#${code}`;
}

/**
 * CloudWatch Logs filter patterns, simplified: space-separated terms that must all appear
 * (case-sensitive), "quoted phrases", `?term` alternatives (any of them), `-term` exclusions.
 * JSON and space-delimited patterns are not interpreted: they match every event.
 */
function logPatternMatcher(pattern: string): (message: string) => boolean {
  const trimmed = pattern.trim();
  if (!trimmed || trimmed.startsWith('{') || trimmed.startsWith('[')) return () => true;
  const terms = [...trimmed.matchAll(/([?-]?)(?:"([^"]*)"|([^\s"?-]\S*))/g)].map((match) => ({ mode: match[1] ?? '', text: match[2] ?? match[3] ?? '' }));
  const required = terms.filter((term) => term.mode === '');
  const anyOf = terms.filter((term) => term.mode === '?');
  const excluded = terms.filter((term) => term.mode === '-');
  return (message) =>
    required.every((term) => message.includes(term.text)) &&
    (anyOf.length === 0 || anyOf.some((term) => message.includes(term.text))) &&
    excluded.every((term) => !message.includes(term.text));
}

function splitPeriods(start: string, end: string, granularity: 'DAILY' | 'MONTHLY'): [string, string][] {
  const periods: [string, string][] = [];
  let cursor = new Date(`${start}T00:00:00Z`);
  const stop = new Date(`${end}T00:00:00Z`);
  while (cursor < stop) {
    const next =
      granularity === 'DAILY'
        ? new Date(cursor.getTime() + 86_400_000)
        : new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
    const to = next < stop ? next : stop;
    periods.push([cursor.toISOString().slice(0, 10), to.toISOString().slice(0, 10)]);
    cursor = to;
  }
  return periods;
}

function lastSegment(reference: string): string {
  return reference.slice(reference.lastIndexOf('/') + 1);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function numberOf(value: unknown, fallback: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.length > 0) return Number(value);
  return fallback;
}
