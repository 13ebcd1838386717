import { expect, it } from 'vitest';
import type { Tool, ToolAsker } from '../../src/model/tools.js';
import { createLogger } from '../../src/ops/logger.js';
import { RedisKeys } from '../../src/ops/redis-keys.js';
import { reusingResults } from '../../src/tools/reused-results.js';
import { redisForThisFile } from '../support/redis-for-file.js';

const redis = redisForThisFile();
const logger = createLogger({ logLevel: 'silent', logFormat: 'json' });
const ALICE: ToolAsker = { teamId: 'T1', channel: 'C1', userId: 'U0ALICE' };
const BOB: ToolAsker = { teamId: 'T1', channel: 'C2', userId: 'U0BOB' };

/** A tool that counts its calls and names who made each one. */
function countingTool(name: string, actsForAsker: boolean) {
  const callers: string[] = [];
  const tool: Tool = {
    definition: { name, description: name, inputSchema: { type: 'object' } },
    describe: () => name,
    run: async (_input, context) => {
      callers.push(context.asker.userId);
      return { text: `read by ${context.asker.userId}`, isError: false, sources: [] };
    },
    reuseSeconds: 60,
    ...(actsForAsker ? { actsForAsker } : {}),
  };
  return { tool, callers };
}

const run = (tool: Tool, asker: ToolAsker) => tool.run({ cluster: 'prod' }, { signal: new AbortController().signal, asker });

it('reuses a documentation result for anyone, and an account read for the person who made it only', async () => {
  const reuse = reusingResults(redis.client, new RedisKeys(`reuse-test-${Date.now()}`), logger);

  const docs = countingTool('aws_docs__read_documentation', false);
  const docsTool = reuse(docs.tool);
  await run(docsTool, ALICE);
  expect((await run(docsTool, BOB)).log).toMatchObject({ reused: true });
  expect(docs.callers).toEqual(['U0ALICE']);

  const account = countingTool('aws_ecs_services', true);
  const accountTool = reuse(account.tool);
  await run(accountTool, ALICE);
  expect((await run(accountTool, ALICE)).log).toMatchObject({ reused: true });
  const bobsRead = await run(accountTool, BOB);
  expect(bobsRead.text).toBe('read by U0BOB');
  expect(account.callers).toEqual(['U0ALICE', 'U0BOB']);
});
