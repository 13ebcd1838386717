import Anthropic from '@anthropic-ai/sdk';

/**
 * Every way a model call can fail, sorted into what is worth retrying and what is not, with the
 * words a Slack user sees and the facts an operator needs (status, error type, request id).
 */
export type ModelFailureKind =
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'connection'
  | 'timeout'
  | 'stream_interrupted'
  | 'context_too_long'
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'model_not_found'
  | 'cancelled';

const RETRYABLE: ReadonlySet<ModelFailureKind> = new Set([
  'rate_limited',
  'overloaded',
  'server_error',
  'connection',
  'timeout',
  'stream_interrupted',
]);

const USER_MESSAGES: Record<ModelFailureKind, string> = {
  rate_limited: 'The AI model is rate limited right now and did not recover in time. Please try again in a minute.',
  overloaded: 'The AI model is overloaded right now and did not recover in time. Please try again in a minute.',
  server_error: 'The AI model service had an internal error. Please try again in a minute.',
  connection: 'The bot could not reach the AI model service. Please try again in a minute.',
  timeout: 'The AI model took too long to answer. Please try again.',
  stream_interrupted: 'The answer was interrupted several times by the AI model service. Please try again.',
  context_too_long: 'This thread is too long for the model, even shortened. Please start a new thread.',
  invalid_request: 'The model rejected the request. An admin should check the bot logs.',
  authentication: "The bot's Anthropic API key was rejected. An admin must fix the bot's configuration.",
  permission: "The bot's Anthropic API key is not allowed to use this model. An admin must fix the bot's configuration.",
  model_not_found:
    "The bot's model setting is invalid: the model does not exist or has been retired. An admin must set ANTHROPIC_MODEL to a current model.",
  cancelled: 'Stopped.',
};

export class ModelError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly kind: ModelFailureKind,
    message: string,
    readonly details: {
      status?: number | undefined;
      errorType?: string | undefined;
      requestId?: string | null | undefined;
      retryAfterMs?: number | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'ModelError';
    this.retryable = RETRYABLE.has(kind);
  }

  get userMessage(): string {
    return USER_MESSAGES[this.kind];
  }

  /** What the logs get: enough to find the call on Anthropic's side. */
  toLog(): Record<string, unknown> {
    return {
      kind: this.kind,
      status: this.details.status,
      errorType: this.details.errorType,
      requestId: this.details.requestId,
      retryAfterMs: this.details.retryAfterMs,
      message: this.message,
    };
  }
}

const KIND_BY_ERROR_TYPE: Record<string, ModelFailureKind> = {
  rate_limit_error: 'rate_limited',
  overloaded_error: 'overloaded',
  api_error: 'server_error',
  timeout_error: 'timeout',
  authentication_error: 'authentication',
  permission_error: 'permission',
  not_found_error: 'model_not_found',
  request_too_large: 'context_too_long',
  invalid_request_error: 'invalid_request',
  billing_error: 'permission',
};

export function classifyModelError(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  if (error instanceof Anthropic.APIUserAbortError) return new ModelError('cancelled', 'cancelled', { cause: error });
  if (error instanceof Anthropic.APIConnectionTimeoutError) return new ModelError('timeout', error.message, { cause: error });
  if (error instanceof Anthropic.APIConnectionError) return new ModelError('connection', error.message, { cause: error });
  // The SDK's class is generic over `any`; fromApiError reads its fields with their real types.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
  if (error instanceof Anthropic.APIError) return fromApiError(error);
  const message = error instanceof Error ? error.message : String(error);
  return new ModelError('connection', message, { cause: error });
}

function fromApiError(error: InstanceType<typeof Anthropic.APIError<number | undefined, Headers | undefined, object | undefined>>): ModelError {
  const errorType = errorTypeOf(error);
  const details = {
    status: error.status,
    errorType,
    requestId: error.requestID,
    retryAfterMs: retryAfterMs(error.headers),
    cause: error,
  };
  const apiMessage = error.apiMessage ?? error.message;
  // An `error` event in the middle of a stream has no HTTP status: the stream was cut, and the
  // whole answer has to be asked for again.
  if (error.status === undefined) {
    const kind = errorType && KIND_BY_ERROR_TYPE[errorType];
    return new ModelError(kind && RETRYABLE.has(kind) ? kind : 'stream_interrupted', apiMessage, details);
  }
  if (errorType === 'invalid_request_error' && /prompt is too long|too many tokens|context/i.test(apiMessage)) {
    return new ModelError('context_too_long', apiMessage, details);
  }
  const byType = errorType ? KIND_BY_ERROR_TYPE[errorType] : undefined;
  return new ModelError(byType ?? kindByStatus(error.status), apiMessage, details);
}

function kindByStatus(status: number): ModelFailureKind {
  if (status === 429) return 'rate_limited';
  if (status === 529) return 'overloaded';
  if (status === 408) return 'timeout';
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'model_not_found';
  if (status === 413) return 'context_too_long';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}

function errorTypeOf(error: InstanceType<typeof Anthropic.APIError>): string | undefined {
  if (error.type) return error.type;
  const body: { error?: { type?: unknown }; type?: unknown } | undefined = error.error;
  const nested = body?.error?.type ?? body?.type;
  return typeof nested === 'string' && nested !== 'error' ? nested : undefined;
}

/** Anthropic sends `retry-after` in seconds; honour a millisecond variant when present. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers?.get('retry-after'));
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return undefined;
}
