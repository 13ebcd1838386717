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

export function mountDashboard(app: Application, settings: DashboardSettings, queues: readonly Queue[]): void {
  const path = settings.path.replace(/\/+$/, '') || '/';
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(path);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'aws-orchestrator' } },
  });
  app.use(path, basicAuth({ user: settings.user, password: settings.password }, 'aws-orchestrator queue dashboard'), serverAdapter.getRouter());
}
