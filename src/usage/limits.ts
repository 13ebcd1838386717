import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { RedisKeys } from '../ops/redis-keys.js';
import { utcDay } from './days.js';
import { admissionFromScript, type Admission } from './limit-rules.js';
import { scopeField, TOTAL, userScope } from './usage-fields.js';

/**
 * The per-person question rate and the daily token budgets, decided in one Lua script so that
 * every worker sees the same counts and two questions can never both take the last slot.
 *
 * The rate window is a sorted set of the person's admitted questions scored by when they were
 * *asked* (the job's receivedAt), not when a worker got to them: questions asked slowly that
 * queued up behind an outage are not refused for arriving together. Workers may take questions
 * out of order, so a question counts the admitted ones asked up to a minute before *or after*
 * it: no minute ever holds more than the limit. A job already admitted (a worker died and
 * another picked it up) is admitted again without counting twice.
 *
 * Budgets compare what today's usage hash already holds (usage-fields.ts `budgetTokens`) with the
 * limit: an answer's size is unknown until it is written, so a question admitted just under the
 * budget may end a little over it; the next one is refused.
 */
const ADMIT_SCRIPT = `
local rateKey = KEYS[1]
local usageKey = KEYS[2]
local askedAt = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local perMinute = tonumber(ARGV[3])
local member = ARGV[4]
local userBudget = tonumber(ARGV[7])
local workspaceBudget = tonumber(ARGV[8])
local now = tonumber(ARGV[9])
if perMinute > 0 and redis.call('ZSCORE', rateKey, member) then return {1, 0} end
if userBudget > 0 and tonumber(redis.call('HGET', usageKey, ARGV[5]) or '0') >= userBudget then return {3, 0} end
if workspaceBudget > 0 and tonumber(redis.call('HGET', usageKey, ARGV[6]) or '0') >= workspaceBudget then return {4, 0} end
if perMinute > 0 then
  local keepMs = windowMs * 10
  redis.call('ZREMRANGEBYSCORE', rateKey, '-inf', '(' .. (now - keepMs))
  local from = '(' .. (askedAt - windowMs)
  local to = '(' .. (askedAt + windowMs)
  local count = redis.call('ZCOUNT', rateKey, from, to)
  if count >= perMinute then
    -- A new question fits once all but perMinute - 1 of these have left the window.
    local nth = redis.call('ZRANGEBYSCORE', rateKey, from, to, 'WITHSCORES', 'LIMIT', count - perMinute, 1)
    return {2, tonumber(nth[2]) + windowMs}
  end
  redis.call('ZADD', rateKey, askedAt, member)
  redis.call('PEXPIRE', rateKey, keepMs)
end
return {0, 0}
`;

const WINDOW_MS = 60_000;

export interface AdmissionRequest {
  teamId: string;
  userId: string;
  /** When the question was asked (ms epoch). */
  receivedAt: number;
}

export class Limits {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly settings: Pick<Config['usage'], 'userQuestionsPerMinute' | 'userDailyTokenBudget' | 'workspaceDailyTokenBudget'>,
  ) {
    redis.defineCommand('usageAdmit', { numberOfKeys: 2, lua: ADMIT_SCRIPT });
  }

  async admit(question: AdmissionRequest, jobId: string, nowMs = Date.now()): Promise<Admission> {
    const { userQuestionsPerMinute: perMinute, userDailyTokenBudget: userBudget, workspaceDailyTokenBudget: workspaceBudget } = this.settings;
    if (perMinute === 0 && userBudget === 0 && workspaceBudget === 0) return { kind: 'admitted' };
    // A question asked "in the future" by a worker with a fast clock counts from now.
    const askedAt = Math.min(question.receivedAt, nowMs);
    const reply = await (this.redis as unknown as AdmitCommand).usageAdmit(
      this.keys.rateWindow(question.teamId, question.userId),
      this.keys.usageDay(question.teamId, utcDay(nowMs)),
      askedAt,
      WINDOW_MS,
      perMinute,
      jobId,
      scopeField(userScope(question.userId), 'budgetTokens'),
      scopeField(TOTAL, 'budgetTokens'),
      userBudget,
      workspaceBudget,
      nowMs,
    );
    return admissionFromScript(reply, { perMinute, userBudget, workspaceBudget });
  }
}

interface AdmitCommand {
  usageAdmit(...args: Array<string | number>): Promise<[number, number]>;
}
