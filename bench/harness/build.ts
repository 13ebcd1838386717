/**
 * What the bench starts: by default the TypeScript sources through tsx (as the tests do), and for
 * `npm run bench` the build a team deploys, the way the Dockerfile runs it: `npm run build`'s
 * JavaScript on node alone, NODE_ENV=production. tsx's on-the-fly compilation wraps every function
 * to keep its name and maps every stack trace back to the source, work a deployed bot never does.
 * The naive baseline is compiled the same way, so both are measured alike.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../../test/support/bot.js';

export interface SystemEntries {
  /** Entry files relative to the repository. */
  bot: string;
  naive: string;
  /** Environment both systems run with. */
  env: Record<string, string>;
}

export const SOURCE_ENTRIES: SystemEntries = { bot: 'src/main.ts', naive: 'bench/naive-bot.ts', env: {} };

const NAIVE_SOURCE = 'bench/naive-bot.ts';
/** Beside the sources, so that node finds the repository's node_modules from it. */
const NAIVE_BUILD_DIR = 'bench/.build';

export function buildDeployedSystems(): SystemEntries {
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
  const source = readFileSync(join(REPO_ROOT, NAIVE_SOURCE), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: NAIVE_SOURCE,
  });
  mkdirSync(join(REPO_ROOT, NAIVE_BUILD_DIR), { recursive: true });
  writeFileSync(join(REPO_ROOT, NAIVE_BUILD_DIR, 'naive-bot.js'), outputText);
  return { bot: 'dist/main.js', naive: `${NAIVE_BUILD_DIR}/naive-bot.js`, env: { NODE_ENV: 'production' } };
}
