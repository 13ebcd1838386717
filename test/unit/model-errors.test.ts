import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { classifyModelError } from '../../src/model/errors.js';
import { backoffDelayMs } from '../../src/model/retry-policy.js';

function apiError(status: number, type: string, message = 'x', headers: Record<string, string> = {}) {
  return Anthropic.APIError.generate(status, { type: 'error', error: { type, message } }, message, new Headers({ 'request-id': 'req_1', ...headers }));
}

/** What the SDK throws for an `event: error` in the middle of a stream (core/streaming.js). */
function streamErrorEvent(type: string) {
  return new Anthropic.APIError(undefined, { type: 'error', error: { type, message: 'x' } }, undefined, new Headers());
}

describe('classifyModelError', () => {
  it('retries rate limits and overloads, honouring retry-after', () => {
    const limited = classifyModelError(apiError(429, 'rate_limit_error', 'slow down', { 'retry-after': '7' }));
    expect(limited).toMatchObject({ kind: 'rate_limited', retryable: true });
    expect(limited.details.retryAfterMs).toBe(7000);
    expect(limited.details.requestId).toBe('req_1');
    expect(classifyModelError(apiError(529, 'overloaded_error'))).toMatchObject({ kind: 'overloaded', retryable: true });
    expect(classifyModelError(apiError(500, 'api_error'))).toMatchObject({ kind: 'server_error', retryable: true });
  });

  it('treats an error event in the middle of a stream as retryable', () => {
    expect(classifyModelError(streamErrorEvent('overloaded_error'))).toMatchObject({ kind: 'overloaded', retryable: true });
    expect(classifyModelError(streamErrorEvent('invalid_request_error'))).toMatchObject({ kind: 'stream_interrupted', retryable: true });
  });

  it('does not retry permanent failures and explains them', () => {
    const retired = classifyModelError(apiError(404, 'not_found_error', 'model: claude-3-haiku-20240307'));
    expect(retired).toMatchObject({ kind: 'model_not_found', retryable: false });
    expect(retired.userMessage).toMatch(/model setting is invalid/);
    expect(classifyModelError(apiError(401, 'authentication_error'))).toMatchObject({ kind: 'authentication', retryable: false });
    expect(classifyModelError(apiError(400, 'invalid_request_error', 'prompt is too long: 300000 tokens > 200000 maximum'))).toMatchObject({ kind: 'context_too_long', retryable: false });
  });

  it('sorts connection problems and aborts', () => {
    expect(classifyModelError(new Anthropic.APIConnectionError({ message: 'ECONNREFUSED' }))).toMatchObject({ kind: 'connection', retryable: true });
    expect(classifyModelError(new Anthropic.APIUserAbortError())).toMatchObject({ kind: 'cancelled', retryable: false });
  });
});

describe('backoffDelayMs', () => {
  const policy = { maxAttempts: 5, baseMs: 1000, maxMs: 8000 };
  it('grows exponentially within jitter bounds and stops at the cap', () => {
    expect(backoffDelayMs(1, policy, undefined, () => 0)).toBe(500);
    expect(backoffDelayMs(1, policy, undefined, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, policy, undefined, () => 1)).toBe(4000);
    expect(backoffDelayMs(10, policy, undefined, () => 1)).toBe(8000);
  });
  it('never waits less than the server asked', () => {
    expect(backoffDelayMs(1, policy, 20_000, () => 0)).toBe(20_000);
  });
});
