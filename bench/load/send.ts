/** Runs the sender process (load/sender.ts) with a plan and returns its measurements. */
import { spawn } from 'node:child_process';
import { trackChild } from '../../test/support/children.js';
import { REPO_ROOT, SIGNING_SECRET } from '../../test/support/bot.js';
import type { SlackRequest } from '../harness/questions.js';
import type { SendResult } from './plan.js';

export interface SendHandle {
  pid: number;
  /** Resolves once every request was acknowledged (or failed). */
  done: Promise<SendResult[]>;
}

export function sendRequests(url: string, requests: SlackRequest[], ratePerSecond: number): SendHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load/sender.ts'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(JSON.stringify({ url, secret: SIGNING_SECRET, ratePerSecond, requests }));
  const done = new Promise<SendResult[]>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`sender exited with ${code}: ${stderr}`));
      try {
        resolve((JSON.parse(stdout) as { results: SendResult[] }).results);
      } catch (error) {
        reject(new Error(`sender output unreadable: ${(error as Error).message}\n${stderr}`));
      }
    });
  });
  return { pid: child.pid ?? -1, done };
}
