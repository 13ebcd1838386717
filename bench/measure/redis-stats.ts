/**
 * How many commands Redis has processed so far (INFO stats), so a scenario can state Redis round
 * trips per answer or per request. Counts every client, BullMQ's blocking polls included.
 */
import { Redis } from 'ioredis';

export async function redisCommandsProcessed(url: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const stats = await client.info('stats');
    return Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? Number.NaN);
  } finally {
    client.disconnect();
  }
}
