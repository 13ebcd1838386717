/**
 * What every account tool shares: input validation (region among the allowed ones), the
 * per-person hook, credentials, SDK clients with bounded retries and a time limit, one audit log
 * line per AWS call, secrets masked and the result capped. A tool only says which operations to
 * call and how to summarise the answers.
 */
import type { z } from 'zod';
import { abortable } from '../../core/abortable.js';
import { redactSecrets } from '../../core/redact.js';
import type { ToolAsker, ToolContext, ToolOutcome } from '../../model/tools.js';
import type { Logger } from '../../ops/logger.js';
import { roleSessionName, type AwsCredentialBroker, type AwsCredentials } from './credentials.js';
import { describeAwsFailure } from './errors.js';
import { fitToTokens } from './format.js';
import { findOperation, SERVICE_LABELS, type AwsOperation, type AwsOperationId } from './operations.js';

/** What a per-person guard is told before a tool touches the account. */
export interface AwsCallRequest {
  tool: string;
  operation: AwsOperationId;
  region: string;
}

/**
 * Called before a tool makes any AWS call. Returns a refusal the person will see (e.g. "You have
 * made 20 account calls in the last minute; try again shortly.") or undefined to go ahead.
 */
export type AwsBeforeCall = (asker: ToolAsker, request: AwsCallRequest) => string | undefined | Promise<string | undefined>;

/** Constructor config shared by every SDK client the tools create. */
export interface AwsClientConfig {
  region: string;
  credentials: AwsCredentials;
  maxAttempts: number;
  requestHandler: { requestTimeout: number; connectionTimeout: number };
}

interface SdkClient {
  destroy(): void;
}

interface AwsOutput {
  $metadata: { requestId?: string; attempts?: number };
}

/** Handed to a tool while it runs. */
export interface AwsRun {
  region: string;
  now: Date;
  /** One client per class per run, closed when the run ends. */
  client<C extends SdkClient>(Client: new (config: AwsClientConfig) => C): C;
  /**
   * Sends one request: `send` must pass the abort signal to the SDK. `params` is what the audit
   * line records (the command's input).
   */
  call<O extends AwsOutput>(operation: AwsOperationId, params: object, send: (abortSignal: AbortSignal) => Promise<O>): Promise<O>;
}

export interface AwsToolSpec<Input extends { region?: string }> {
  name: string;
  description: string;
  /** A z.object; its JSON Schema is the tool's input schema. */
  schema: z.ZodType<Input>;
  /** The main operation: named in the step people see, the hook and errors before any call. */
  operation: AwsOperationId;
  /** Services whose endpoint is one region whatever the input says (Cost Explorer). */
  fixedRegion?: string;
  reuseSeconds: number;
  /** The words after the operation and region in the step people see, e.g. "cluster prod". */
  detail(input: Record<string, unknown>): string | undefined;
  /** The compact text summary of what was read. */
  execute(input: Input, run: AwsRun): Promise<string>;
}

export interface RunnerDeps {
  regions: readonly string[];
  broker: AwsCredentialBroker;
  logger: Logger;
  beforeCall: AwsBeforeCall | undefined;
  callTimeoutMs: number;
  maxResultTokens: number;
  maxAttempts: number;
  now: () => Date;
}

export function describeStep(spec: AwsToolSpec<{ region?: string }>, input: Record<string, unknown>, defaultRegion: string): string {
  const operation = findOperation(spec.operation);
  const region = spec.fixedRegion ?? (typeof input.region === 'string' && input.region ? input.region : defaultRegion);
  const detail = safe(() => spec.detail(input));
  return [`${SERVICE_LABELS[operation.service]} ${operation.action}`, region, detail].filter(Boolean).join(' · ');
}

export async function runAwsTool<Input extends { region?: string }>(
  spec: AwsToolSpec<Input>,
  rawInput: Record<string, unknown>,
  context: ToolContext,
  deps: RunnerDeps,
): Promise<ToolOutcome> {
  const mainOperation = findOperation(spec.operation);
  const requestedRegion = typeof rawInput.region === 'string' ? rawInput.region : undefined;
  const baseLog = { tool: spec.name, operation: spec.operation };

  if (requestedRegion !== undefined && spec.fixedRegion === undefined && !deps.regions.includes(requestedRegion)) {
    const text = `Region "${clipValue(requestedRegion)}" is not one I may read. Allowed regions: ${deps.regions.join(', ')}.`;
    audit(deps.logger, context.asker, { ...baseLog, region: requestedRegion, params: rawInput, outcome: 'rejected', error: 'RegionNotAllowed' });
    return errorOutcome(text, { ...baseLog, region: requestedRegion });
  }
  const parsed = spec.schema.safeParse(rawInput);
  if (!parsed.success) {
    const text = `Invalid input for ${spec.name}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ')}`;
    audit(deps.logger, context.asker, { ...baseLog, region: requestedRegion, params: rawInput, outcome: 'rejected', error: 'InvalidInput' });
    return errorOutcome(redactSecrets(text).text, baseLog);
  }
  const input = parsed.data;
  const region = spec.fixedRegion ?? input.region ?? deps.regions[0] ?? 'us-east-1';
  const log = { ...baseLog, region };

  if (deps.beforeCall) {
    let refusal: string | undefined;
    try {
      refusal = await deps.beforeCall(context.asker, { tool: spec.name, operation: spec.operation, region });
    } catch (error) {
      deps.logger.warn({ err: error, ...log }, 'the AWS account-call guard failed; refusing the call');
      refusal = 'I could not check the limit on AWS account calls just now, so I did not make the call. Try again shortly.';
    }
    if (refusal !== undefined) {
      audit(deps.logger, context.asker, { ...log, params: input, outcome: 'refused' });
      return errorOutcome(refusal, { ...log, refused: true });
    }
  }

  const timeout = AbortSignal.timeout(deps.callTimeoutMs);
  const signal = AbortSignal.any([context.signal, timeout]);
  const clients = new Map<unknown, SdkClient>();
  const requestIds: string[] = [];
  let failedOperation: AwsOperation = mainOperation;
  try {
    const credentials = await deps.broker.credentialsFor(context.asker, signal);
    const config: AwsClientConfig = {
      region,
      credentials,
      maxAttempts: deps.maxAttempts,
      requestHandler: { requestTimeout: deps.callTimeoutMs, connectionTimeout: Math.min(deps.callTimeoutMs, 5000) },
    };
    const run: AwsRun = {
      region,
      now: deps.now(),
      client(Client) {
        let client = clients.get(Client) as InstanceType<typeof Client> | undefined;
        if (!client) {
          client = new Client(config);
          clients.set(Client, client);
        }
        return client;
      },
      async call(operation, params, send) {
        const started = Date.now();
        try {
          const output = await send(signal);
          if (output.$metadata.requestId) requestIds.push(output.$metadata.requestId);
          audit(deps.logger, context.asker, {
            ...log,
            operation,
            params,
            requestId: output.$metadata.requestId,
            attempts: output.$metadata.attempts,
            outcome: 'ok',
            ms: Date.now() - started,
          });
          return output;
        } catch (error) {
          failedOperation = findOperation(operation);
          const meta = (error as { $metadata?: { requestId?: string; attempts?: number } } | undefined)?.$metadata;
          audit(deps.logger, context.asker, {
            ...log,
            operation,
            params,
            requestId: meta?.requestId,
            attempts: meta?.attempts,
            outcome: 'error',
            error: (error as Error | undefined)?.name ?? String(error),
            ms: Date.now() - started,
          });
          throw error;
        }
      },
    };
    const work = spec.execute(input, run);
    // Stopped or timed out: the answer no longer matters, but its rejection must not go unhandled.
    work.catch(() => undefined);
    const text = await abortable(work, signal);
    const masked = redactSecrets(text).text;
    return {
      text: fitToTokens(masked, deps.maxResultTokens),
      isError: false,
      sources: [],
      log: { ...log, awsRequestIds: requestIds, ...(deps.broker.usesRole ? { roleSessionName: roleSessionName(context.asker) } : {}) },
    };
  } catch (error) {
    const failure = describeAwsFailure(error, {
      operation: failedOperation,
      region,
      stopped: context.signal.aborted,
      timedOut: timeout.aborted && !context.signal.aborted,
      timeoutMs: deps.callTimeoutMs,
    });
    if (failure.requestId) requestIds.push(failure.requestId);
    if (failure.kind === 'no_credentials' || failure.kind === 'assume_role' || failure.kind === 'credentials_rejected') {
      deps.logger.warn({ ...log, awsError: failure.code, kind: failure.kind }, 'AWS account tools cannot get usable credentials');
    }
    return errorOutcome(fitToTokens(failure.text, deps.maxResultTokens), { ...log, awsRequestIds: requestIds, awsError: failure.code, failure: failure.kind });
  } finally {
    for (const client of clients.values()) client.destroy();
  }
}

function errorOutcome(text: string, log: Record<string, unknown>): ToolOutcome {
  return { text, isError: true, sources: [], log };
}

interface AuditFields {
  tool: string;
  operation: AwsOperationId;
  region: string | undefined;
  params: unknown;
  outcome: 'ok' | 'error' | 'refused' | 'rejected';
  requestId?: string | undefined;
  attempts?: number | undefined;
  error?: string;
  ms?: number;
}

/** One line per AWS call (and per refused or rejected request): who asked what, where, and what came of it. */
function audit(logger: Logger, asker: ToolAsker, fields: AuditFields): void {
  logger.info(
    {
      audit: 'aws_account_call',
      teamId: asker.teamId,
      userId: asker.userId,
      channel: asker.channel,
      ...fields,
      params: maskedParams(fields.params),
    },
    'AWS account call',
  );
}

/** The request's parameters as plain JSON, every string masked: a filter pattern may hold a pasted secret. */
function maskedParams(params: unknown): unknown {
  if (typeof params === 'string') return redactSecrets(params).text;
  if (params instanceof Date) return params.toISOString();
  if (Array.isArray(params)) return params.map(maskedParams);
  if (typeof params === 'object' && params !== null) {
    return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined).map(([key, value]) => [key, maskedParams(value)]));
  }
  return params;
}

function clipValue(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

