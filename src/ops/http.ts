import express, { type Application } from 'express';
import type { RedisClient } from './redis.js';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import { redisIsReachable } from './redis.js';

/**
 * The service's own HTTP routes, on the web role's port and on a worker's health port alike.
 * `/healthz` says the process is up and can reach Redis (without Redis no question can be queued
 * or answered, so a load balancer should stop sending traffic). `/readyz` adds that the queue is
 * usable and the model settings are not known to be wrong. `/metrics` is Prometheus' text format.
 */
export function createHttpApp(redis: RedisClient, readiness: Readiness, metrics: Metrics): Application {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const redisUp = await redisIsReachable(redis);
    res.status(redisUp ? 200 : 503).json({ status: redisUp ? 'ok' : 'unavailable', redis: redisUp ? 'up' : 'down' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await readiness.check();
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return app;
}
