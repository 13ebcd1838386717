import { formatWait, nextUtcMidnight } from './days.js';

/**
 * What the admission check decided, and the polite words for a refusal. Pure; the atomic check
 * itself runs in Redis (limits.ts).
 */
export type Admission =
  | { kind: 'admitted' }
  | { kind: 'rate_limited'; retryAtMs: number; perMinute: number }
  | { kind: 'user_budget'; budget: number }
  | { kind: 'workspace_budget'; budget: number };

export type Refusal = Exclude<Admission, { kind: 'admitted' }>;

/** Decodes the Lua script's answer: [code, retryAtMs]. */
export function admissionFromScript(reply: [number, number], limits: { perMinute: number; userBudget: number; workspaceBudget: number }): Admission {
  const [code, retryAtMs] = reply;
  switch (code) {
    case 2:
      return { kind: 'rate_limited', retryAtMs, perMinute: limits.perMinute };
    case 3:
      return { kind: 'user_budget', budget: limits.userBudget };
    case 4:
      return { kind: 'workspace_budget', budget: limits.workspaceBudget };
    default:
      return { kind: 'admitted' };
  }
}

export function refusalText(refusal: Refusal, nowMs: number): string {
  const tokens = (count: number) => count.toLocaleString('en-US');
  const midnight = nextUtcMidnight(nowMs);
  switch (refusal.kind) {
    case 'rate_limited':
      return (
        `:hourglass: You've asked ${refusal.perMinute} question${refusal.perMinute === 1 ? '' : 's'} in the last minute, which is the limit here. ` +
        `Please ask again in ${formatWait(refusal.retryAtMs - nowMs)}; I haven't sent this one to the model.`
      );
    case 'user_budget':
      return (
        `:hourglass: You've used your daily budget of ${tokens(refusal.budget)} model tokens, so I haven't sent this question to the model. ` +
        `The budget resets at 00:00 UTC, in ${formatWait(midnight - nowMs)}. \`/aws usage\` shows what you've used.`
      );
    case 'workspace_budget':
      return (
        `:hourglass: This workspace has used its daily budget of ${tokens(refusal.budget)} model tokens, so I haven't sent this question to the model. ` +
        `The budget resets at 00:00 UTC, in ${formatWait(midnight - nowMs)}.`
      );
  }
}
