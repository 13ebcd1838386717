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
import { freePort } from './ports.js';
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
  const port = await freePort();
  // A private working directory: redis-server must never drop files into the repository.
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  atExit(() => rmSync(dir, { recursive: true, force: true }));
  let child = await launch(binary, port, dir);

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await kill(child);
    },
    async restart() {
      await kill(child);
      child = await launch(binary, port, dir);
    },
  };
}

async function launch(binary: string, port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`redis-server exited early (code ${code}, signal ${signal}):\n${output}`))),
  );
  await Promise.race([waitForPong(port), exited]);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

/** Polls with a raw PING until the server answers +PONG (no client library needed). */
async function waitForPong(port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
