import Anthropic from '@anthropic-ai/sdk';
import { NO_REDIRECTS } from '../ops/api-fetch.js';

/**
 * The Anthropic client. The SDK speaks its own default API version (2026-10-21); a request that
 * carries a temperature asks for 2023-06-01 itself (model/model-request.ts).
 */
export interface AnthropicSettings {
  apiKey: string;
  baseUrl: string | undefined;
  timeoutMs: number;
}

export function createAnthropicClient(settings: AnthropicSettings): Anthropic {
  return new Anthropic({
    apiKey: settings.apiKey,
    ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
    timeout: settings.timeoutMs,
    // The model loop owns retries (model/retry-policy.ts), so the SDK must not multiply them.
    maxRetries: 0,
    fetchOptions: NO_REDIRECTS,
  });
}
