import express, { type Application } from 'express';
import type { Redis } from 'ioredis';
import { redisIsReachable } from './redis.js';

/**
 * The service's own HTTP routes. `/healthz` says the process is up and can reach Redis (without
 * Redis no question can be queued or answered, so a load balancer should stop sending traffic).
 */
export function createHttpApp(redis: Redis): Application {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const redisUp = await redisIsReachable(redis);
    res.status(redisUp ? 200 : 503).json({ status: redisUp ? 'ok' : 'unavailable', redis: redisUp ? 'up' : 'down' });
  });
  return app;
}
