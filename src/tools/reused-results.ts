import { createHash } from 'node:crypto';
import type { Tool, ToolOutcome } from '../model/tools.js';
import type { Logger } from '../ops/logger.js';
import type { RedisClient } from '../ops/redis.js';
import type { RedisKeys } from '../ops/redis-keys.js';

/**
 * A tool result fetched recently is reused, by tool and input, for the tool's `reuseSeconds`: a
 * model retry, a Retry button or a worker resuming a crashed job repeats no completed call, and
 * two people asking about the same page read it once. A tool that acts for the asker (a read of
 * the team's AWS account) reuses a result for the same person only, so everyone's reads stay
 * within their own limit and on record under their name. Failures are never reused. The results
 * are what the model was given: bounded and masked by their tool.
 */
export function reusingResults(redis: RedisClient, keys: RedisKeys, logger: Logger): (tool: Tool) => Tool {
  return (tool) => {
    if (tool.reuseSeconds <= 0) return tool;
    return {
      ...tool,
      async run(input, context) {
        const key = keys.toolResult(resultHash(tool.definition.name, input, tool.actsForAsker ? context.asker : undefined));
        const stored = await redis.get(key).catch((error: unknown) => {
          logger.warn({ err: error, tool: tool.definition.name }, 'tool results cannot be reused right now');
          return null;
        });
        const reused = stored ? parseOutcome(stored) : undefined;
        if (reused) return { ...reused, log: { ...reused.log, reused: true } };
        const outcome = await tool.run(input, context);
        if (!outcome.isError) {
          await redis
            .set(key, JSON.stringify(outcome), 'EX', tool.reuseSeconds)
            .catch((error: unknown) => logger.warn({ err: error, tool: tool.definition.name }, 'could not keep a tool result for reuse'));
        }
        return outcome;
      },
    };
  };
}

/** The tool and its input, with object keys in a stable order, and the person it acts for if it does. */
function resultHash(toolName: string, input: Record<string, unknown>, asker: { teamId: string; userId: string } | undefined): string {
  const subject = [toolName, canonical(input), ...(asker ? [asker.teamId, asker.userId] : [])];
  return createHash('sha256').update(JSON.stringify(subject)).digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

function parseOutcome(raw: string): ToolOutcome | undefined {
  try {
    const value = JSON.parse(raw) as Partial<ToolOutcome>;
    if (typeof value.text !== 'string' || !Array.isArray(value.sources)) return undefined;
    return { text: value.text, isError: false, sources: value.sources, ...(value.log ? { log: value.log } : {}) };
  } catch {
    return undefined;
  }
}
