import { incrementsFor, type AnswerUsage } from '../../src/core/usage-tally.js';

/** What Redis would hold after HINCRBY of these answers into one day's hash. */
export function dayHash(...answers: AnswerUsage[]): Record<string, string> {
  const hash: Record<string, number> = {};
  for (const one of answers) for (const [field, by] of incrementsFor(one)) hash[field] = (hash[field] ?? 0) + by;
  return Object.fromEntries(Object.entries(hash).map(([field, value]) => [field, String(value)]));
}
