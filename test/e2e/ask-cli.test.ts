import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYSTEM_PROMPT } from '../../src/model/system-prompt.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { REPO_ROOT } from '../support/bot.js';
import { trackChild } from '../support/children.js';
import { turnsOf } from './answer-checks.js';

/**
 * `npm run ask`, spawned as a developer runs it, against the fake Anthropic API, with no
 * Slack or Redis settings at all: it streams the answer, ends with the usage, keeps a conversation
 * in interactive mode, and sends what the workers send.
 */
let anthropic: FakeAnthropic;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
});
afterAll(async () => {
  await anthropic?.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When each piece of stdout arrived (ms epoch). */
  stdoutChunks: Array<{ at: number; text: string }>;
}

/** The environment of a developer's shell that has only the model settings (nothing from .env). */
function cliEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(?:SLACK_|ANTHROPIC_|REDIS_|MODEL_|VITEST)/.test(key) || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  return { ...env, ENV_FILE: 'none', ...extra };
}

function ask(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  const env = cliEnv({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url, MODEL_RETRY_BASE_MS: '50', ...options.env });
  const child = spawn('npm', ['run', '--silent', 'ask', '--', ...args], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  const run: Run = { code: null, stdout: '', stderr: '', stdoutChunks: [] };
  child.stdout.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString('utf8');
    run.stdoutChunks.push({ at: Date.now(), text: chunk.toString('utf8') });
  });
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString('utf8')));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.once('exit', (code) => resolve({ ...run, code })));
}

describe('npm run ask', () => {
  it('prints the answer as it streams, then the token usage, with the workers’ prompt and request', async () => {
    const answer = 'To set up ECS:\n\n1. Create a cluster.\n2. Register a task definition.\n3. Create a service.';
    anthropic.enqueue({ text: answer, chunkSize: 6, tokenDelayMs: 60, usage: { input_tokens: 321, output_tokens: 45 } });
    const run = await ask(['How do I set up ECS?']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${answer}\n`);
    // Streamed: the text arrived in many pieces over the answer's whole duration.
    const textChunks = run.stdoutChunks.filter((chunk) => chunk.text.trim().length > 0);
    expect(textChunks.length).toBeGreaterThan(4);
    expect(textChunks.at(-1)!.at - textChunks[0]!.at).toBeGreaterThan(300);
    expect(run.stderr).toMatch(/321 input \+ 45 output tokens/);
    expect(run.stderr).toMatch(/claude-haiku-5-5/);
    // Haiku 5.5: $0.10 input and $0.50 output per million tokens.
    expect(run.stderr).toMatch(/\$0\.0001/);

    const request = anthropic.messageRequests().at(-1)!;
    expect(request.body).toMatchObject({ model: 'claude-haiku-5-5', max_tokens: 5000, thinking: { type: 'adaptive' }, stream: true });
    expect(request.body).not.toHaveProperty('temperature');
    expect(request.headers['anthropic-version']).toBe('2026-10-21');
    const [system] = request.body?.system as Array<{ text: string }>;
    expect(system!.text.startsWith(DEFAULT_SYSTEM_PROMPT)).toBe(true);
    expect(system!.text).toContain(`Today's date is ${new Date().toISOString().slice(0, 10)}`);
    expect(turnsOf(request)).toEqual([{ role: 'user', content: '<@UTERMINAL>: How do I set up ECS?' }]);
  });

  it('keeps the conversation in interactive mode, and retries like the workers', async () => {
    anthropic.enqueue({ text: 'ECS runs containers on a cluster.' }, { status: 529 }, { text: 'Fargate runs them without servers to manage.' });
    const before = anthropic.messageRequests().length;
    const run = await ask([], { input: 'What is ECS?\nand Fargate?\n/exit\n' });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('ECS runs containers on a cluster.\n');
    expect(run.stdout).toContain('Fargate runs them without servers to manage.\n');
    expect(run.stderr).toMatch(/retrying \(attempt 2 of 5\)/);
    expect(run.stderr.match(/output tokens/g)).toHaveLength(2);
    const requests = anthropic.messageRequests().slice(before);
    expect(requests.map((request) => request.status)).toEqual([200, 529, 200]);
    expect(turnsOf(requests.at(-1))).toEqual([
      { role: 'user', content: '<@UTERMINAL>: What is ECS?' },
      { role: 'assistant', content: 'ECS runs containers on a cluster.' },
      { role: 'user', content: '<@UTERMINAL>: and Fargate?' },
    ]);
  });

  it('needs only the model settings, and names a missing one', async () => {
    const run = await ask(['hello'], { env: { ANTHROPIC_API_KEY: '' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ANTHROPIC_API_KEY');
    expect(run.stderr).not.toContain('SLACK');
  });

  it('says why an answer failed, with what an operator needs', async () => {
    const run = await ask(['hello'], { env: { ANTHROPIC_MODEL: 'claude-3-haiku-20240307' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/model does not exist or has been retired/);
    expect(run.stderr).toMatch(/model_not_found, HTTP 404, not_found_error, request req_\w+/);
  });
});
