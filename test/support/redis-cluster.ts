/**
 * A real Redis Cluster for one test file: three masters (no replicas) on free loopback ports,
 * persistence off, every file in a private temporary folder. Each node also needs its cluster
 * bus port, which Redis fixes at port + 10000, so both are checked free before a node starts.
 * The nodes are joined with `redis-cli --cluster create` where redis-cli exists, else by hand
 * (CLUSTER ADDSLOTSRANGE / ADDSLOTS, then CLUSTER MEET), and the cluster is ready when every
 * node reports `cluster_state:ok`. Processes are tracked (children.ts) so none outlives the run.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { atExit, trackChild } from './children.js';
import { findRedisServer } from './redis.js';

export interface RedisClusterNode {
  host: string;
  port: number;
}

export interface RedisCluster {
  /** The masters, each owning a third of the 16384 hash slots; pass them to ioredis' `Cluster`. */
  nodes: RedisClusterNode[];
  /** The temporary folder with the nodes' cluster config files; stop() removes it. */
  dir: string;
  /** Kills every node (SIGKILL) and removes the temporary folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Number of masters (Redis needs at least 3 for a cluster). Default 3. */
  masters?: number;
  /** Join by hand even where redis-cli exists (to exercise that path). */
  withoutRedisCli?: boolean;
  /** How long to wait for `cluster_state:ok` on every node. Default 30 s. */
  readyTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const SLOTS = 16_384;
const BUS_PORT_OFFSET = 10_000;
const START_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  if (masters < 3) throw new Error('a Redis Cluster needs at least 3 masters');
  const binary = findRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-test-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  atExit(removeDir);

  const children: ChildProcess[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map(kill));
    removeDir();
  };

  try {
    const ports = new Set<number>();
    for (let i = 0; i < masters; i += 1) {
      const { port, child } = await launchNode(binary, dir, ports);
      ports.add(port);
      children.push(child);
    }
    const nodes = [...ports].map((port) => ({ host: HOST, port }));
    const cli = options.withoutRedisCli ? undefined : findOnPath('redis-cli');
    if (cli) await createWithRedisCli(cli, nodes);
    else await createByHand(nodes);
    await waitForClusterOk(nodes, options.readyTimeoutMs ?? 30_000);
    return { nodes, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---- nodes --------------------------------------------------------------------------------------

/** Starts one node on a port whose bus port is free too; retries when another process wins a port. */
async function launchNode(binary: string, dir: string, taken: Set<number>): Promise<{ port: number; child: ChildProcess }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
    const port = await freeClusterPort(taken);
    try {
      return { port, child: await spawnNode(binary, dir, port) };
    } catch (error) {
      lastError = error;
      if (!String(error).includes('Address already in use')) throw error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function spawnNode(binary: string, dir: string, port: number): Promise<ChildProcess> {
  const args = [
    '--port', String(port),
    '--bind', HOST,
    '--cluster-enabled', 'yes',
    '--cluster-config-file', join(dir, `nodes-${port}.conf`),
    '--cluster-node-timeout', '5000',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--loglevel', 'warning',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`redis-server (cluster node on ${port}) exited early (code ${code}, signal ${signal}):\n${output}`))),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    // The node that answers must be this process: another test's server could hold the port.
    const answered = await Promise.race([command(port, ['INFO', 'server']).then((info) => Number(/process_id:(\d+)/.exec(info)?.[1]) === child.pid, () => false), exited]);
    if (answered) return child;
    if (Date.now() > deadline) {
      await kill(child);
      throw new Error(`redis-server on port ${port} did not answer within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await delay(25);
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

/**
 * A port below the OS's ephemeral range (where the ports it picks and outgoing connections' live)
 * whose bus port, port + 10000, is free as well.
 */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 10_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || taken.has(port + BUS_PORT_OFFSET) || taken.has(port - BUS_PORT_OFFSET)) continue;
    if ((await canBind(port)) && (await canBind(port + BUS_PORT_OFFSET))) return port;
  }
  throw new Error('no free port pair (port, port + 10000) found for a Redis Cluster node');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

// ---- joining --------------------------------------------------------------------------------------

function createWithRedisCli(cli: string, nodes: RedisClusterNode[]): Promise<void> {
  const args = ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'];
  return new Promise((resolve, reject) => {
    const child = execFile(cli, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`redis-cli --cluster create failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
    trackChild(child);
  });
}

/** What redis-cli does, by hand: give each node a contiguous third of the slots, then introduce them. */
async function createByHand(nodes: RedisClusterNode[]): Promise<void> {
  const share = Math.floor(SLOTS / nodes.length);
  for (const [index, node] of nodes.entries()) {
    const first = index * share;
    const last = index === nodes.length - 1 ? SLOTS - 1 : first + share - 1;
    await addSlots(node.port, first, last);
    await command(node.port, ['CLUSTER', 'SET-CONFIG-EPOCH', String(index + 1)]);
  }
  const [first, ...others] = nodes;
  if (!first) return;
  for (const node of others) await command(first.port, ['CLUSTER', 'MEET', node.host, String(node.port)]);
}

/** CLUSTER ADDSLOTSRANGE exists from Redis 7; older servers take the slots one by one. */
async function addSlots(port: number, first: number, last: number): Promise<void> {
  try {
    await command(port, ['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)]);
  } catch (error) {
    if (!/unknown subcommand/i.test(String(error))) throw error;
    const slots = Array.from({ length: last - first + 1 }, (_, i) => String(first + i));
    await command(port, ['CLUSTER', 'ADDSLOTS', ...slots]);
  }
}

async function waitForClusterOk(nodes: RedisClusterNode[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(nodes.map((node) => command(node.port, ['CLUSTER', 'INFO']).catch((error: unknown) => String(error))));
    const ready = infos.every((info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes.length}`));
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`the Redis Cluster did not reach cluster_state:ok within ${timeoutMs} ms:\n${infos.join('\n---\n')}`);
    await delay(50);
  }
}

// ---- a minimal RESP client (one command per connection; no client library needed) --------------

function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Sends one command and resolves with its reply as text; a Redis error reply rejects. */
function command(port: number, args: string[], timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, value?: string): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? '');
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no reply to ${args.join(' ')} from port ${port}`)));
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const reply = parseReply(buffer);
      if (reply === undefined) return;
      if (reply.error) finish(new Error(`${args.slice(0, 2).join(' ')} on port ${port}: ${reply.error}`));
      else finish(undefined, reply.value);
    });
  });
}

/** One simple-string, error, integer or bulk-string reply, or undefined until it is complete. */
function parseReply(buffer: Buffer): { value?: string; error?: string } | undefined {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd === -1) return undefined;
  const kind = String.fromCharCode(buffer[0] ?? 0);
  const line = buffer.subarray(1, lineEnd).toString();
  if (kind === '+' || kind === ':') return { value: line };
  if (kind === '-') return { error: line };
  if (kind === '$') {
    const length = Number(line);
    if (length < 0) return { value: '' };
    const start = lineEnd + 2;
    if (buffer.length < start + length + 2) return undefined;
    return { value: buffer.subarray(start, start + length).toString() };
  }
  return { error: `unexpected reply type ${kind}` };
}

// ---- small helpers --------------------------------------------------------------------------------

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
