/**
 * The README's configuration table and .env.example, written from the one list of settings in
 * src/config.ts: `npm run docs:settings` rewrites both, and test/unit/settings-docs.test.ts fails
 * when either has drifted from it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingsDocumentation } from '../config.js';

const GROUP_TITLES: Record<string, string> = {
  role: 'Roles',
  slack: 'Slack',
  model: 'Model',
  tools: 'Tools: AWS documentation, MCP servers, the AWS account',
  queue: 'Queue and Redis',
  usage: 'Usage, limits and answer reuse',
  access: 'Who may use the bot',
  ops: 'Operations',
};

const TABLE_START = '<!-- settings:start (written by npm run docs:settings) -->';
const TABLE_END = '<!-- settings:end -->';

function settingsTable(): string {
  const lines: string[] = [];
  let group = '';
  for (const row of settingsDocumentation()) {
    if (row.group !== group) {
      group = row.group;
      lines.push('', `**${GROUP_TITLES[group] ?? group}**`, '', '| variable | meaning | default |', '|---|---|---|');
    }
    lines.push(`| \`${row.variable}\` | ${row.doc.replace(/\|/g, '\\|')} | ${row.fallback === undefined ? 'unset' : `\`${row.fallback}\``} |`);
  }
  return lines.join('\n').trim();
}

export function envExample(): string {
  const lines = [
    '# aws-orchestrator configuration. Copy to .env (never commit it) and fill in the required values.',
    '# Another file can be named with ENV_FILE=path (ENV_FILE=none reads none); variables already set win.',
    '# Every variable is validated at start-up. This file is written from src/config.ts (npm run docs:settings).',
  ];
  let group = '';
  for (const row of settingsDocumentation()) {
    if (row.group !== group) {
      group = row.group;
      lines.push('', `# --- ${GROUP_TITLES[group] ?? group} ---`);
    }
    lines.push(`# ${row.doc.replace(/`/g, '')}`);
    const required = /Required\./.test(row.doc);
    lines.push(row.fallback !== undefined ? `${row.variable}=${row.fallback}` : required ? `${row.variable}=` : `# ${row.variable}=`);
  }
  return `${lines.join('\n')}\n`;
}

export function readmeWithTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1) throw new Error('README.md has no settings markers');
  return `${readme.slice(0, start + TABLE_START.length)}\n${settingsTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL('../../', import.meta.url);
  const readmePath = new URL('README.md', root);
  writeFileSync(readmePath, readmeWithTable(readFileSync(readmePath, 'utf8')));
  writeFileSync(new URL('.env.example', root), envExample());
  process.stdout.write('README.md and .env.example written from src/config.ts\n');
}
