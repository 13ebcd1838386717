import { familyOf } from '../core/model-families.js';

/**
 * Where Anthropic prompt caching can apply. A cache breakpoint only caches a prefix of at least
 * the model's minimum cacheable length (core/model-families.ts); on a shorter one the API simply
 * does not cache (no error, no surcharge). Pure.
 *
 * The check is on characters, before any token count exists, and errs toward marking: a marked
 * prefix that is too short costs nothing, while an unmarked long one is paid in full on every
 * question. So the minimum is reached at 2 characters a token, denser than any real text
 * (English runs at about 4, code and JSON at 3, minified JSON at 2).
 */
const DENSEST_CHARS_PER_TOKEN = 2;

export function minCacheableTokens(model: string): number {
  return familyOf(model).minCacheableTokens;
}

/** Whether a prompt prefix of this many characters may reach the model's minimum cacheable length. */
export function mayBeCacheable(prefixChars: number, model: string): boolean {
  return prefixChars * familyOf(model).tokenScale >= minCacheableTokens(model) * DENSEST_CHARS_PER_TOKEN;
}
