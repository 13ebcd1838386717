import { it } from 'vitest';
import { toSlackMrkdwnPartial } from '../../../src/core/slack-format.js';
import { loadCorpus, mrkdwnProblems } from './mrkdwn-checks.js';
it('fuzz', () => {
  let bad = 0;
  for (const { name, markdown } of loadCorpus()) {
    for (let end = 0; end <= markdown.length; end++) {
      const p = mrkdwnProblems(toSlackMrkdwnPartial(markdown.slice(0, end)));
      if (p.length) { bad++; if (bad < 40) console.log(name, end, JSON.stringify(markdown.slice(Math.max(0,end-50), end)), p); }
    }
  }
  console.log('bad', bad);
});
