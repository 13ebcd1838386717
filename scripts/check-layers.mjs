#!/usr/bin/env node
// The folders of src/ form layers: a question travels down them, and no folder imports one above
// it (type imports included). Prints each folder's imports and exits 1 on an import that points up
// or on a folder missing from the order below. Run by `npm run check:layers` (part of `npm test`).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Top first. A folder may import any folder after it. */
const LAYERS = ['main', 'cli', 'slack', 'queue', 'answer', 'publish', 'tools', 'reuse', 'usage', 'model', 'ops', 'config', 'core'];

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const files = [];
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
  }
})(src);

const unitOf = (file) => relative(src, file).split(sep)[0].replace(/\.(ts|js)$/, '');
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const edges = new Map();
const problems = [];
for (const file of files) {
  const from = unitOf(file);
  if (!LAYERS.includes(from)) problems.push(`src/${from} is not in the layer order of scripts/check-layers.mjs: place it there`);
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const target = resolve(dirname(file), match[1] ?? match[2]);
    if (!target.startsWith(src + sep)) continue;
    const to = unitOf(target);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(to);
    if (LAYERS.indexOf(to) <= LAYERS.indexOf(from)) problems.push(`${relative(resolve(src, '..'), file)} imports src/${to}, a layer above src/${from}`);
  }
}
for (const layer of LAYERS) console.log(`${layer} -> ${[...(edges.get(layer) ?? [])].sort((a, b) => LAYERS.indexOf(a) - LAYERS.indexOf(b)).join(', ') || '(nothing)'}`);
if (problems.length > 0) {
  console.error(`\n${[...new Set(problems)].join('\n')}`);
  process.exit(1);
}
console.log('layers: every import points down');
