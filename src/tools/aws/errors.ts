/**
 * Turns whatever an account call failed with into a sentence the model can pass on: what could
 * not be read, why, and what would fix it. Never throws. The AWS message is kept (it names the
 * missing permission or the unknown resource), shortened and with secrets masked.
 */
import { redactSecrets } from '../../core/redact.js';
import { AssumeRoleError } from './credentials.js';
import { clip } from './format.js';
import { SERVICE_LABELS, type AwsOperation } from './operations.js';

export type AwsFailureKind =
  | 'access_denied'
  | 'throttled'
  | 'not_found'
  | 'invalid_request'
  | 'no_credentials'
  | 'credentials_rejected'
  | 'assume_role'
  | 'timeout'
  | 'stopped'
  | 'network'
  | 'service';

export interface AwsFailure {
  kind: AwsFailureKind;
  /** The AWS error code or the error's name. */
  code: string;
  text: string;
  requestId: string | undefined;
}

export interface FailureContext {
  /** The operation that failed, or the tool's main one when no call was made yet. */
  operation: AwsOperation;
  region: string;
  /** The person pressed Stop (the context's signal aborted). */
  stopped: boolean;
  /** The tool's time limit passed. */
  timedOut: boolean;
  timeoutMs: number;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException', 'AuthorizationError', 'Forbidden']);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);
const CREDENTIALS_REJECTED = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'InvalidAccessKeyId',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'RequestExpired',
]);
const NOT_FOUND = /NotFound|NoSuch|DoesNotExist/i;
const INVALID = new Set([
  'ValidationError',
  'ValidationException',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterCombination',
  'InvalidRequestException',
  'InvalidNextToken',
  'InvalidInstanceID.Malformed',
  'BillingViewHealthStatusException',
  'DataUnavailableException',
  'RequestChangedException',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT']);

interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { requestId?: string; attempts?: number; httpStatusCode?: number };
}

/** Input a tool found unusable after validation (e.g. a date range too long); its message is the explanation. */
export class ToolInputError extends Error {
  override readonly name = 'InvalidToolInput';
}

export function describeAwsFailure(error: unknown, context: FailureContext): AwsFailure {
  if (error instanceof ToolInputError) return failure('invalid_request', error.name, error.message, undefined);
  const label = SERVICE_LABELS[context.operation.service];
  const where = `${label} ${context.operation.action}`;
  const region = context.region;

  if (context.stopped) return failure('stopped', 'Stopped', `Stopped before ${where} answered (the person asking pressed Stop).`, error);
  if (context.timedOut) {
    return failure('timeout', 'Timeout', `${where} did not answer within ${seconds(context.timeoutMs)} in ${region}; AWS may be slow right now. Try again, or narrow the request.`, error);
  }

  if (error instanceof AssumeRoleError) {
    const cause = shape(error.cause);
    const code = errorCode(cause);
    const why = ACCESS_DENIED.has(code)
      ? "the bot's own identity may not assume it: its policy needs sts:AssumeRole on that role, and the role's trust policy must trust the bot's identity"
      : CREDENTIALS_REJECTED.has(code) || code === 'CredentialsProviderError'
        ? 'the bot has no usable AWS credentials of its own to assume it with'
        : `STS said ${code}`;
    return failure('assume_role', code, `I couldn't assume the read-only role ${error.roleArn} (session ${error.sessionName}): ${why}. ${awsSaid(cause)}`, error.cause);
  }

  const err = shape(error);
  const code = errorCode(err);
  const attempts = err.$metadata?.attempts;

  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(err.message ?? '')) {
    return failure(
      'no_credentials',
      'CredentialsProviderError',
      "The bot has no AWS credentials to read this account with (none in its environment, profile, web identity token, or container/instance role). An operator must give it credentials or a role.",
      error,
    );
  }
  if (ACCESS_DENIED.has(code)) {
    const permission = context.operation.iamAction ?? `${context.operation.service}:${context.operation.action}`;
    return failure(
      'access_denied',
      code,
      `I'm not allowed to read ${label} in this account (${permission}). The bot's read-only role needs that permission (deploy/iam-readonly-policy.json lists every one the tools use). ${awsSaid(err)}`,
      error,
    );
  }
  if (THROTTLED.has(code)) {
    const tries = attempts ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
    return failure('throttled', code, `AWS is throttling ${where} calls in ${region} (${code}); I gave up${tries}. Try again in a minute.`, error);
  }
  if (CREDENTIALS_REJECTED.has(code)) {
    return failure('credentials_rejected', code, `AWS rejected the bot's credentials (${code}): they may have expired or been revoked. An operator must fix them. ${awsSaid(err)}`, error);
  }
  if (NOT_FOUND.test(code) || err.$metadata?.httpStatusCode === 404) {
    return failure('not_found', code, `${where} in ${region}: not found (${code}). ${awsSaid(err)}`, error);
  }
  if (INVALID.has(code) || code.startsWith('Invalid')) {
    return failure('invalid_request', code, `${label} rejected the request (${code}). ${awsSaid(err)}`, error);
  }
  if (code === 'TimeoutError' || code === 'RequestTimeout' || code === 'AbortError') {
    return failure('timeout', code, `${where} did not answer in time in ${region}. Try again, or narrow the request.`, error);
  }
  if (NETWORK.has(code) || NETWORK.has(err.code ?? '')) {
    return failure('network', err.code ?? code, `I couldn't reach ${label} in ${region} (${err.code ?? code}).`, error);
  }
  return failure('service', code, `${where} failed in ${region} (${code}). ${awsSaid(err)}`, error);
}

function failure(kind: AwsFailureKind, code: string, text: string, error: unknown): AwsFailure {
  return { kind, code, text: redactSecrets(text.trim()).text, requestId: shape(error).$metadata?.requestId };
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? error : { message: String(error) };
}

function errorCode(err: ErrorShape): string {
  // Query-protocol errors carry the wire code in `Code` when the SDK has no class for it.
  const name = err.name && err.name !== 'Error' ? err.name : undefined;
  return name ?? err.Code ?? err.code ?? 'Error';
}

function awsSaid(err: ErrorShape): string {
  const message = clip(err.message, 300);
  return message ? `AWS said: "${message}"` : '';
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
