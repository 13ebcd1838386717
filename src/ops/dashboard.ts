import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Application } from 'express';
import type { Config } from '../config.js';
import { basicAuth } from './basic-auth.js';

/**
 * The queue dashboard (Bull Board): waiting, active, delayed and failed jobs, their data and
 * errors, with retry. Off unless DASHBOARD_PATH is set, and never without basic authentication
 * (config.ts refuses a path without DASHBOARD_USER and DASHBOARD_PASSWORD). Job data holds
 * questions people asked, so it is for operators only.
 */
export type DashboardSettings = NonNullable<Config['ops']['dashboard']>;

/** Linear on any input, unlike a /\/+$/ replace. */
function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end -= 1;
  return path.slice(0, end);
}

export function mountDashboard(app: Application, settings: DashboardSettings, queues: readonly Queue[]): void {
  const path = trimTrailingSlashes(settings.path) || '/';
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(path);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'aws-orchestrator' } },
  });
  // Bull Board's router is typed `any`.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
  app.use(path, basicAuth({ user: settings.user, password: settings.password }, 'aws-orchestrator queue dashboard'), serverAdapter.getRouter());
}
