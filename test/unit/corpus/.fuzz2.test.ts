import { it } from 'vitest';
import { toSlackMrkdwnPartial, toSlackMrkdwn } from '../../../src/core/slack-format.js';
import { mrkdwnProblems } from './mrkdwn-checks.js';
const docs = [
`Some **bold** and *it* and \`code\` then [link **b**](https://x.y/a_b) and ~~strike~~ and ***both*** end.
> quote with **bold** and \`code\`
> - list in quote
1. item with [link](https://a.b)
   - sub *it*
     \`\`\`js
     const a = "*";
     \`\`\`
| a | **b** | c |
|---|:-:|--:|
| 1 | \`x|y\` | [l](https://q) |

Text with snake_case_word and __dunder__ and a_b_c. Also 2 * 3 = 6 and s3:* action.
~~~
tilde fence **
~~~
Final line with <https://auto.link> and https://bare.link/path_x and **unfinished`,
`## Heading with \`code\` and **bold**\n\n- [ ] task *one*\n- [x] task **two**\n\n\`\`\`\ncode\n\`\`\`\n\n**a** _b_ ~~c~~`,
];
it('fuzz2', () => {
  let bad = 0;
  for (const md of docs) {
    console.log(toSlackMrkdwn(md));
    for (let end = 0; end <= md.length; end++) {
      const p = mrkdwnProblems(toSlackMrkdwnPartial(md.slice(0, end)));
      if (p.length) { bad++; if (bad < 40) console.log(end, JSON.stringify(md.slice(Math.max(0,end-40), end)), p); }
    }
  }
  console.log('bad', bad);
});
