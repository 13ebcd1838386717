import { readFileSync } from 'node:fs';
import type { RedisClient } from './redis.js';

/**
 * Lua scripts live in `.lua` files beside the TypeScript that runs them, as BullMQ keeps its own
 * commands, and are registered with ioredis' defineCommand: sent once per connection, then run
 * by SHA. Every key a script touches is passed in KEYS, so the scripts run on Redis Cluster too
 * (all keys of a deployment share the queue prefix's hash tag).
 */
export type ScriptCommand<Reply> = (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<Reply>;

export function luaScript<Reply>(redis: RedisClient, name: string, file: URL, numberOfKeys: number): ScriptCommand<Reply> {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua: readFileSync(file, 'utf8') });
  // defineCommand adds the command to the client at run time; its type cannot know it.
  const command = (redis as unknown as Record<string, (...args: Array<string | number>) => Promise<Reply>>)[name]!;
  return (keys, args) => {
    if (keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
    return command.call(redis, ...keys, ...args);
  };
}
