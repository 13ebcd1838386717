/**
 * A real redis-server per test file, on its own free loopback port with persistence off, so
 * tests never share state with each other or touch a developer's Redis on 6379.
 * `stop()` kills it (an outage), `restart()` brings it back on the same port, empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { onFreePort } from './ports.js';
import { atExit, trackChild } from './children.js';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: no goodbye to clients, like a crash) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port (data is gone: persistence is off). */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/** The redis-server binary on PATH; the message says how to get one. */
export function findRedisServer(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('redis-server not found on PATH: install it (Debian/Ubuntu: apt-get install -y redis-server) to run these tests');
}

export async function startRedis(): Promise<RedisServer> {
  const binary = findRedisServer();
  // A private working directory: redis-server must never drop files into the repository.
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  atExit(() => rmSync(dir, { recursive: true, force: true }));
  const serverArgs = (port: number): string[] => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'];
  const started = await onFreePort(async (port) => ({ port, child: await launchRedisServer(binary, serverArgs(port), port) }));
  const port = started.port;
  let child = started.child;

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await kill(child);
    },
    async restart() {
      await kill(child);
      child = await launchRedisServer(binary, serverArgs(port), port);
    },
  };
}

/**
 * Starts redis-server with `args` (which make it listen on `port`) and resolves once that process,
 * not another server that holds the port, answers there; rejects with its output when it exits.
 */
export async function launchRedisServer(binary: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`redis-server exited early (code ${code}, signal ${signal}):\n${output}`))),
  );
  await Promise.race([waitForOwnServer(port, child.pid), exited]);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

/**
 * Polls with a raw INFO until the server on `port` answers with the process id `pid`: another
 * server on that port (it took the port first, and ours is about to exit) must not pass for ours.
 */
async function waitForOwnServer(port: number, pid: number | undefined): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const answering = await processIdOn(port);
    if (answering !== undefined && answering === pid) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server (pid ${pid}) did not answer on port ${port} within ${START_TIMEOUT_MS} ms`);
}

function processIdOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (pid: number | undefined): void => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(500, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.startsWith('-')) return done(undefined);
      const line = /process_id:(\d+)\r\n/.exec(reply);
      if (line) done(Number(line[1]));
    });
  });
}
