/**
 * Every process a test starts is registered here and killed when the test process ends, however
 * it ends: a bot or redis-server left behind would hold its port and skew the next run.
 */
import type { ChildProcess } from 'node:child_process';

interface Registry {
  children: Set<ChildProcess>;
  exitTasks: Array<() => void>;
  hooked: boolean;
}

/**
 * Kept on globalThis: vitest re-evaluates modules for each test file in a reused worker, and one
 * set of process hooks per worker (not per file) avoids piling up listeners.
 */
const REGISTRY_KEY = Symbol.for('aws-orchestrator.test.children');
const registry: Registry = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] as Registry | undefined) ?? {
  children: new Set(),
  exitTasks: [],
  hooked: false,
};
(globalThis as Record<symbol, unknown>)[REGISTRY_KEY] = registry;

export function trackChild(child: ChildProcess): void {
  registry.children.add(child);
  child.once('exit', () => registry.children.delete(child));
  installHooks();
}

/** Runs `task` (synchronously) when the test process exits, after its children are killed. */
export function atExit(task: () => void): void {
  registry.exitTasks.push(task);
  installHooks();
}

function killAll(): void {
  for (const child of registry.children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  registry.children.clear();
  for (const task of registry.exitTasks.splice(0)) {
    try {
      task();
    } catch {
      // best effort while exiting
    }
  }
}

function installHooks(): void {
  if (registry.hooked) return;
  registry.hooked = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // Re-raise with the default handler so the process still ends the way it was asked to.
      process.off(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
