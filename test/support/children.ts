/**
 * Every process a test starts is registered here and killed when the test process ends, however
 * it ends: a bot or redis-server left behind would hold its port and skew the next run.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const exitTasks: Array<() => void> = [];
let hooked = false;

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  installHooks();
}

/** Runs `task` (synchronously) when the test process exits, after its children are killed. */
export function atExit(task: () => void): void {
  exitTasks.push(task);
  installHooks();
}

function killAll(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const task of exitTasks.splice(0)) {
    try {
      task();
    } catch {
      // best effort while exiting
    }
  }
}

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // Re-raise with the default handler so the process still ends the way it was asked to.
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
