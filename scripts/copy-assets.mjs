#!/usr/bin/env node
// `npm run build` compiles src/ to dist/; the Lua scripts beside the TypeScript that loads them
// travel with it, at the same relative paths.
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
let copied = 0;
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.lua')) {
      cpSync(path, join(dist, relative(src, path)));
      copied += 1;
    }
  }
})(src);
console.log(`copied ${copied} Lua scripts to dist/`);
