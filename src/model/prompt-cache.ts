/**
 * Where Anthropic prompt caching can apply. A cache breakpoint only caches a prefix of at least
 * the model's minimum cacheable length; on a shorter one the API simply does not cache (no error,
 * no surcharge). Minimums from Anthropic's prompt-caching documentation ("Cache limitations"):
 * 4,096 tokens for Claude Haiku 4.5 and Opus 4.5–4.7; 2,048 for Sonnet 4.6; 1,024 for Sonnet 4.5,
 * Sonnet 5 and Opus 4.8; 512 for Opus 5. Pure.
 *
 * The check is on characters, before any token count exists, and errs toward marking: a marked
 * prefix that is too short costs nothing, while an unmarked long one is paid in full on every
 * question. So the minimum is reached at 2 characters a token, denser than any real text
 * (English runs at about 4, code and JSON at 3, minified JSON at 2).
 */
const MIN_CACHEABLE_TOKENS: ReadonlyArray<[prefix: string, tokens: number]> = [
  ['claude-haiku-4-5', 4096],
  ['claude-opus-4-5', 4096],
  ['claude-opus-4-6', 4096],
  ['claude-opus-4-7', 4096],
  ['claude-sonnet-4-6', 2048],
  ['claude-sonnet-4-5', 1024],
  ['claude-sonnet-5', 1024],
  ['claude-opus-4-8', 1024],
  ['claude-opus-5', 512],
];

/** Models not listed (newer ones) get the smallest known minimum: marking is free when too short. */
const UNKNOWN_MODEL_MIN_TOKENS = 512;
const DENSEST_CHARS_PER_TOKEN = 2;

export function minCacheableTokens(model: string): number {
  return MIN_CACHEABLE_TOKENS.find(([prefix]) => model === prefix || model.startsWith(`${prefix}-`))?.[1] ?? UNKNOWN_MODEL_MIN_TOKENS;
}

/** Whether a prompt prefix of this many characters may reach the model's minimum cacheable length. */
export function mayBeCacheable(prefixChars: number, model: string): boolean {
  return prefixChars >= minCacheableTokens(model) * DENSEST_CHARS_PER_TOKEN;
}
