import { it, expect } from 'vitest';
import { toSlackMrkdwnPartial, toSlackMrkdwn } from '../../../src/core/slack-format.js';
import { splitForSlack } from '../../../src/core/split-message.js';
import { redactSecrets } from '../../../src/core/redact.js';
import { mrkdwnProblems, fenceLineCount } from './mrkdwn-checks.js';
it('fuzz3', () => {
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const alphabet = ['*', '**', '_', '__', '~~', '~', '`', '```', '\n', '\n\n', ' ', 'word', 'snake_case', '[', ']', '(', ')', 'https://x.y/z', '<', '>', '&', '|', '|---|', '- ', '1. ', '> ', '# ', '    ', '😀', '\\', '!', '{', '"', '[ ] '];
  let bad = 0;
  for (let n = 0; n < 3000; n++) {
    let s = '';
    const len = 1 + Math.floor(rnd() * 60);
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    const full = toSlackMrkdwn(s);
    const part = toSlackMrkdwnPartial(s);
    for (const m of [16, 40, 100]) {
      for (const chunk of splitForSlack(full, m)) { expect(chunk.length).toBeLessThanOrEqual(m); if (fenceLineCount(chunk) % 2) { console.log(JSON.stringify(s), JSON.stringify(full), m, JSON.stringify(chunk)); throw new Error("x"); } }
    }
    redactSecrets(s);
    const p = mrkdwnProblems(part);
    if (p.length) { bad++; if (bad < 25) console.log(JSON.stringify(s), '=>', JSON.stringify(part), p); }
  }
  console.log('bad', bad);
});
