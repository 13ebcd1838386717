/**
 * Why a call to an MCP server produced no result, read from whatever the SDK threw, and the short
 * text the model gets instead. Pure.
 *
 * What the SDK throws: `McpError` for a JSON-RPC error answer (`code`, `message` prefixed
 * "MCP error <code>: ") and for its own time limit and closed connection (codes -32001 and
 * -32000; an aborted signal also surfaces as -32001); `StreamableHTTPError` with the HTTP status
 * for a non-2xx answer (`code` -1 for an unexpected content type); the `TypeError` of `fetch`
 * with a `cause` carrying the socket error code when the server cannot be reached.
 */
import { STATUS_CODES } from 'node:http';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { redactSecrets } from '../../core/redact.js';

export type CallFailure =
  | { kind: 'aborted' }
  /** `timeoutMs` is absent when the caller's own time limit (an aborted signal with a TimeoutError) ended it. */
  | { kind: 'timeout'; timeoutMs?: number }
  | { kind: 'rate_limited'; retryAfterSeconds?: number }
  | { kind: 'http'; status: number }
  | { kind: 'rpc_error'; code: number; message: string }
  | { kind: 'session_expired' }
  | { kind: 'connection'; detail: string }
  | { kind: 'unavailable'; since: Date; detail?: string }
  | { kind: 'protocol'; detail: string }
  | { kind: 'closed' };

export interface FailureContext {
  /** The caller's signal, if it was aborted (Stop, or the caller's time limit): whatever the SDK threw, that is the reason. */
  aborted: boolean;
  abortReason?: unknown;
  /** The transport held an `Mcp-Session-Id`: a 404 then means the session expired. */
  hadSession: boolean;
  timeoutMs: number;
  retryAfterSeconds?: number | undefined;
  /** The provider is closing: a closed connection is expected. */
  closing?: boolean;
}

const REQUEST_TIMEOUT: number = ErrorCode.RequestTimeout;
const CONNECTION_CLOSED: number = ErrorCode.ConnectionClosed;

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection lost',
  UND_ERR_CLOSED: 'connection lost',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

/** Why an aborted signal was aborted: a time limit (`AbortSignal.timeout`) or a person's Stop. */
export function abortFailure(reason: unknown): CallFailure {
  return reason instanceof Error && reason.name === 'TimeoutError' ? { kind: 'timeout' } : { kind: 'aborted' };
}

export function classifyFailure(error: unknown, context: FailureContext): CallFailure {
  if (context.aborted) return abortFailure(context.abortReason);
  if (error instanceof StreamableHTTPError) {
    const status = error.code ?? -1;
    if (status === 404 && context.hadSession) return { kind: 'session_expired' };
    if (status === 429) return context.retryAfterSeconds !== undefined ? { kind: 'rate_limited', retryAfterSeconds: context.retryAfterSeconds } : { kind: 'rate_limited' };
    if (status > 0) return { kind: 'http', status };
    return { kind: 'protocol', detail: shortMessage(error.message.replace(/^Streamable HTTP error: /, '')) };
  }
  if (error instanceof McpError) {
    if (error.code === REQUEST_TIMEOUT) return { kind: 'timeout', timeoutMs: context.timeoutMs };
    if (error.code === CONNECTION_CLOSED) return context.closing ? { kind: 'closed' } : { kind: 'connection', detail: 'connection closed' };
    return { kind: 'rpc_error', code: error.code, message: shortMessage(error.message.replace(/^MCP error -?\d+: /, '')) };
  }
  const socketError = socketErrorCode(error);
  if (socketError !== undefined) return { kind: 'connection', detail: SOCKET_ERRORS[socketError] ?? socketError.toLowerCase() };
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as { cause?: unknown }).cause;
    return { kind: 'connection', detail: cause instanceof Error ? shortMessage(cause.message) : 'network error' };
  }
  if (error instanceof Error && error.name === 'ZodError') return { kind: 'protocol', detail: 'the answer did not match the MCP schema' };
  if (error instanceof Error && error.name === 'AbortError') return context.closing ? { kind: 'closed' } : { kind: 'aborted' };
  return { kind: 'protocol', detail: shortMessage(error instanceof Error ? error.message : String(error)) };
}

/** Failures after which the server is probably down: stop offering its tools and reconnect. */
export function meansServerLost(failure: CallFailure): boolean {
  return failure.kind === 'connection';
}

/** The socket error code behind a failed `fetch` (undici puts it on `cause`, sometimes on an AggregateError's first error). */
function socketErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code in SOCKET_ERRORS) return code;
    const nested = (current as { errors?: unknown[] }).errors?.[0];
    current = (current as { cause?: unknown }).cause ?? nested;
  }
  return undefined;
}

function shortMessage(message: string): string {
  const text = redactSecrets(message.replace(/\s+/g, ' ').trim()).text;
  return text.length <= 300 ? text : `${text.slice(0, 299)}…`;
}

/** The words the model gets for a failure; `label` names the server ("The AWS documentation server"). */
export function failureText(failure: CallFailure, label: string): string {
  switch (failure.kind) {
    case 'aborted':
      return `Stopped: the call to ${lower(label)} was cancelled before it answered.`;
    case 'timeout': {
      const limit = failure.timeoutMs !== undefined ? `within ${Math.round(failure.timeoutMs / 100) / 10} s` : 'in time';
      return `${label} did not answer ${limit}. Answer without this result, or try a narrower request.`;
    }
    case 'rate_limited': {
      const wait = failure.retryAfterSeconds !== undefined ? `; it asks to wait ${failure.retryAfterSeconds} s` : '';
      return `${label} is rate limiting requests (HTTP 429)${wait}. Answer without this result, or try again later.`;
    }
    case 'http':
      return `${label} answered HTTP ${failure.status}${STATUS_CODES[failure.status] ? ` (${STATUS_CODES[failure.status]})` : ''}. Answer without this result.`;
    case 'rpc_error':
      return `${label} rejected the call: ${failure.message} (JSON-RPC error ${failure.code}).`;
    case 'session_expired':
      return `${label} ended the session and a new one could not be opened. Answer without this result.`;
    case 'connection':
      return `${label} is unreachable (${failure.detail}). Answer without this result.`;
    case 'unavailable':
      return `${label} is unavailable (unreachable since ${failure.since.toISOString()}${failure.detail ? `: ${failure.detail}` : ''}). Answer without this result.`;
    case 'protocol':
      return `${label} sent an answer that could not be read (${failure.detail}).`;
    case 'closed':
      return `${label} is no longer connected: the bot is shutting down.`;
  }
}

/** The text of a tool's own error (`isError: true`), bounded: the model needs the gist, not a stack trace. */
export function toolErrorText(label: string, tool: string, text: string): string {
  const detail = shortMessage(text) || 'no details given';
  return `${label} reported an error from ${tool}: ${detail}`;
}

function lower(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1);
}
