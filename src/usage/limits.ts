import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { luaScript, type ScriptCommand } from '../ops/redis-scripts.js';
import { utcDay } from '../core/days.js';
import { admissionFromScript, type Admission } from '../core/limit-rules.js';
import { scopeField, TOTAL, userScope } from '../core/usage-tally.js';


const WINDOW_MS = 60_000;

export interface AdmissionRequest {
  teamId: string;
  userId: string;
  /** When the question was asked (ms epoch). */
  receivedAt: number;
}

export interface LimitSettings {
  userQuestionsPerMinute: number;
  userDailyTokenBudget: number;
  workspaceDailyTokenBudget: number;
}

export class Limits {
  private readonly admitScript: ScriptCommand<[number, number]>;

  constructor(
    redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly settings: LimitSettings,
  ) {
    this.admitScript = luaScript(redis, 'usageAdmit', new URL('./admit.lua', import.meta.url), 2);
  }

  async admit(question: AdmissionRequest, jobId: string, nowMs = Date.now()): Promise<Admission> {
    const { userQuestionsPerMinute: perMinute, userDailyTokenBudget: userBudget, workspaceDailyTokenBudget: workspaceBudget } = this.settings;
    if (perMinute === 0 && userBudget === 0 && workspaceBudget === 0) return { kind: 'admitted' };
    // A question asked "in the future" by a worker with a fast clock counts from now.
    const askedAt = Math.min(question.receivedAt, nowMs);
    const reply = await this.admitScript(
      [this.keys.rateWindow(question.teamId, question.userId), this.keys.usageDay(question.teamId, utcDay(nowMs))],
      [
      askedAt,
      WINDOW_MS,
      perMinute,
      jobId,
      scopeField(userScope(question.userId), 'budgetTokens'),
      scopeField(TOTAL, 'budgetTokens'),
      userBudget,
      workspaceBudget,
      nowMs,
      ],
    );
    return admissionFromScript(reply, { perMinute, userBudget, workspaceBudget });
  }
}
