/**
 * The container's HEALTHCHECK (`node dist/ops/healthcheck.js`): GET /healthz of the process in
 * the same container, on PORT for the web role (and `all`), on WORKER_HEALTH_PORT for a worker
 * started alone. The role may have been given as `--role` on the command line, which a health
 * check cannot see, so a refused connection on PORT tries the worker's port. Exit 0 when healthy.
 */
import { loadConfig, loadDotEnv } from '../config.js';

const TIMEOUT_MS = 4000;

async function healthy(port: number): Promise<boolean | 'no-listener'> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return response.status === 200;
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? 'no-listener' : false;
  }
}

async function main(): Promise<number> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const ports = config.role === 'worker' ? [config.slack.workerHealthPort] : [config.slack.port, config.slack.workerHealthPort];
  for (const port of ports.filter((candidate) => candidate > 0)) {
    const result = await healthy(port);
    if (result !== 'no-listener') return result ? 0 : 1;
  }
  return 1;
}

main().then(
  (code) => process.exit(code),
  () => process.exit(1),
);
