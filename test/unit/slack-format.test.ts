import { describe, expect, it } from 'vitest';
import {
  escapeSlackText,
  toSlackMrkdwn,
  toSlackMrkdwnPartial,
} from '../../src/core/slack-format.js';
import { healPartialMarkdown } from '../../src/core/markdown-healing.js';
import { loadCorpus, mrkdwnProblems } from './corpus/mrkdwn-checks.js';

const corpus = loadCorpus();

describe('toSlackMrkdwn on the corpus of model answers', () => {
  it('has at least 12 answers', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(12);
  });

  it.each(corpus)('$name converts exactly to its expected mrkdwn', ({ markdown, expected }) => {
    expect(toSlackMrkdwn(markdown)).toBe(expected);
  });

  it.each(corpus)('$name converts to well-formed mrkdwn', ({ markdown }) => {
    expect(mrkdwnProblems(toSlackMrkdwn(markdown))).toEqual([]);
  });
});

describe('toSlackMrkdwn inline formatting', () => {
  it.each([
    ['**bold**', '*bold*'],
    ['__bold__', '*bold*'],
    ['*italic*', '_italic_'],
    ['_italic_', '_italic_'],
    ['~~gone~~', '~gone~'],
    ['***both***', '_*both*_'],
    ['**bold _italic_ bold**', '*bold _italic_ bold*'],
    ['_italic **bold** italic_', '_italic *bold* italic_'],
    ['`inline code`', '`inline code`'],
  ])('%s → %s', (markdown, mrkdwn) => {
    expect(toSlackMrkdwn(markdown)).toBe(mrkdwn);
  });

  it('keeps snake_case identifiers, in code or not', () => {
    expect(toSlackMrkdwn('set snake_case_name and `other_snake_name` and __init__ file_a_b')).toBe(
      'set snake_case_name and `other_snake_name` and *init* file_a_b',
    );
  });

  it('keeps the characters of intraword emphasis, which Slack cannot show and which are mostly wildcards or arithmetic', () => {
    expect(toSlackMrkdwn('un*frigging*believable')).toBe('un*frigging*believable');
    expect(toSlackMrkdwn('Allow arn:aws:s3:::logs*2024*/x, and 2*3*4 = 24')).toBe('Allow arn:aws:s3:::logs*2024*/x, and 2*3*4 = 24');
    expect(toSlackMrkdwn('a**b**c and x~~y~~z')).toBe('a**b**c and x~~y~~z');
    expect(toSlackMrkdwn('*whole* words still slant')).toBe('_whole_ words still slant');
  });

  it('keeps whitespace outside the markers and wraps each line of a multi-line span', () => {
    expect(toSlackMrkdwn('**first line\nsecond line**')).toBe('*first line*\n*second line*');
  });

  it('does not nest a marker inside the same marker (bold inside a heading)', () => {
    expect(toSlackMrkdwn('## Use **Fargate** here')).toBe('*Use Fargate here*');
  });

  it('replaces a backtick inside inline code, which mrkdwn cannot escape', () => {
    expect(toSlackMrkdwn('``a`b``')).toBe('`aˋb`');
  });
});

describe('toSlackMrkdwn escaping', () => {
  it('escapes &, < and > in text', () => {
    expect(toSlackMrkdwn('if a < b && c > d')).toBe('if a &lt; b &amp;&amp; c &gt; d');
  });

  it('escapes them in inline code and code blocks too', () => {
    expect(toSlackMrkdwn('`a < b`\n\n```\nx && y > z\n```')).toBe('`a &lt; b`\n\n```\nx &amp;&amp; y &gt; z\n```');
  });

  it('does not double-escape entities written in the Markdown source', () => {
    expect(toSlackMrkdwn('AT&amp;T &lt;tag&gt; &copy;')).toBe('AT&amp;T &lt;tag&gt; ©');
  });

  it('neutralises Slack broadcasts a model might echo, but keeps the person mentions it is asked to use', () => {
    expect(toSlackMrkdwn('ping <!channel> and <@U123>')).toBe('ping &lt;!channel&gt; and <@U123>');
  });

  it('shows HTML as escaped text, with <br> as a line break', () => {
    expect(toSlackMrkdwn('a<br>b <kbd>Ctrl</kbd>')).toBe('a\nb &lt;kbd&gt;Ctrl&lt;/kbd&gt;');
    expect(toSlackMrkdwn('<details>\n<summary>More</summary>\n</details>')).toBe(
      '&lt;details&gt;\n&lt;summary&gt;More&lt;/summary&gt;\n&lt;/details&gt;',
    );
  });

  it('exports the escaper', () => {
    expect(escapeSlackText('<a & b>')).toBe('&lt;a &amp; b&gt;');
  });
});

describe('toSlackMrkdwn links and images', () => {
  it('converts [text](url) to <url|text>', () => {
    expect(toSlackMrkdwn('[ECS docs](https://docs.aws.amazon.com/ecs/)')).toBe('<https://docs.aws.amazon.com/ecs/|ECS docs>');
  });

  it('converts autolinks and bare URLs to <url>', () => {
    expect(toSlackMrkdwn('<https://aws.amazon.com> and https://console.aws.amazon.com/ecs/')).toBe(
      '<https://aws.amazon.com> and <https://console.aws.amazon.com/ecs/>',
    );
  });

  it('strips formatting from link labels and escapes them', () => {
    expect(toSlackMrkdwn('[**the** `create-service` <ref>](https://x.example/a)')).toBe('<https://x.example/a|the create-service &lt;ref&gt;>');
  });

  it('escapes & in the URL and percent-encodes characters that would end it', () => {
    expect(toSlackMrkdwn('[q](https://x.example/?a=1&b=2|3)')).toBe('<https://x.example/?a=1&amp;b=2%7C3|q>');
  });

  it('turns an image into a link to it', () => {
    expect(toSlackMrkdwn('![architecture](https://x.example/a.png)')).toBe('<https://x.example/a.png|architecture>');
    expect(toSlackMrkdwn('![](https://x.example/a.png)')).toBe('<https://x.example/a.png>');
  });

  it('resolves reference-style links', () => {
    expect(toSlackMrkdwn('See [the guide][g].\n\n[g]: https://x.example/guide')).toBe('See <https://x.example/guide|the guide>.');
  });

  it('shows relative links and anchors as plain text', () => {
    expect(toSlackMrkdwn('[next section](#setup) and [file](./README.md)')).toBe('next section and file');
  });

  it('links e-mail autolinks with mailto', () => {
    expect(toSlackMrkdwn('<ops@example.com>')).toBe('<mailto:ops@example.com|ops@example.com>');
  });
});

describe('toSlackMrkdwn blocks', () => {
  it('turns headings of any level into bold lines', () => {
    expect(toSlackMrkdwn('# One\n\n### Three\n\nSetext\n======')).toBe('*One*\n\n*Three*\n\n*Setext*');
  });

  it('separates paragraphs by one blank line and keeps hard breaks', () => {
    expect(toSlackMrkdwn('first\n\n\n\nsecond  \nthird\\\nfourth')).toBe('first\n\nsecond\nthird\nfourth');
  });

  it('renders fenced code without its language tag and verbatim', () => {
    expect(toSlackMrkdwn('```bash\n  echo "*not bold*" _x_\n\n  done\n```')).toBe('```\n  echo "*not bold*" _x_\n\n  done\n```');
  });

  it('renders indented code as a code block', () => {
    expect(toSlackMrkdwn('Run:\n\n    aws s3 ls\n')).toBe('Run:\n\n```\naws s3 ls\n```');
  });

  it('keeps a ``` inside code from closing the Slack block', () => {
    expect(toSlackMrkdwn('~~~markdown\n```js\nx\n```\n~~~')).toBe('```\n`\u200b``js\nx\n`\u200b``\n```');
  });

  it('renders bullets by depth with ◦ and ▪ and indentation', () => {
    expect(toSlackMrkdwn('- a\n  - b\n    - c\n      - d\n- e')).toBe('• a\n    ◦ b\n        ▪ c\n            • d\n• e');
  });

  it('keeps ordered list numbers, including the start number', () => {
    expect(toSlackMrkdwn('3. three\n4. four\n   1. sub')).toBe('3. three\n4. four\n    1. sub');
  });

  it('renders task list items as boxes', () => {
    expect(toSlackMrkdwn('- [ ] open\n- [x] done\n- [X] also done\n1. [ ] numbered')).toBe('☐ open\n☑ done\n☑ also done\n\n1. ☐ numbered');
  });

  it('hangs further paragraphs of an item under its text and keeps code blocks at column 0', () => {
    expect(toSlackMrkdwn('1. Build:\n\n   more text\n\n   ```sh\n   make\n   ```\n2. Ship')).toBe(
      '1. Build:\n   more text\n```\nmake\n```\n2. Ship',
    );
  });

  it('renders an item that starts with a code block', () => {
    expect(toSlackMrkdwn('- ```\n  x\n  ```')).toBe('•\n```\nx\n```');
  });

  it('prefixes every quoted line with > and leaves code blocks inside unprefixed', () => {
    expect(toSlackMrkdwn('> line one\nline two\n>\n> ```\n> code\n> ```\n> - item')).toBe(
      '> line one\n> line two\n```\ncode\n```\n> • item',
    );
  });

  it('renders a thematic break as a line', () => {
    expect(toSlackMrkdwn('above\n\n---\n\nbelow')).toBe('above\n\n───\n\nbelow');
  });

  it('renders a table as aligned columns in a code block, cells as plain text', () => {
    const markdown = '| Name | Price | Note |\n|:-----|------:|:----:|\n| **Fargate** | $0.04 | `per vCPU` |\n| EC2 | $0.0416 | [link](https://x.example) |';
    expect(toSlackMrkdwn(markdown)).toBe(
      [
        '```',
        'Name    |   Price |   Note',
        '--------+---------+---------',
        'Fargate |   $0.04 | per vCPU',
        'EC2     | $0.0416 |   link',
        '```',
      ].join('\n'),
    );
  });

  it('pads missing table cells and escapes cell text', () => {
    expect(toSlackMrkdwn('| a | b |\n|---|---|\n| x < y |')).toBe('```\na     | b\n------+--\nx &lt; y |\n```');
  });

  it('returns an empty string for empty or blank input', () => {
    expect(toSlackMrkdwn('')).toBe('');
    expect(toSlackMrkdwn('  \n\n ')).toBe('');
  });
});

describe('toSlackMrkdwn JSON answers', () => {
  it('shows a whole-answer JSON document as a code block, verbatim apart from escaping', () => {
    expect(toSlackMrkdwn('  {"a": "x < y", "b": [1, 2]}\n')).toBe('```\n{"a": "x &lt; y", "b": [1, 2]}\n```');
    expect(toSlackMrkdwn('[{"id": 1}]')).toBe('```\n[{"id": 1}]\n```');
  });

  it('shows a ```json fence as a code block', () => {
    expect(toSlackMrkdwn('```json\n{"ok": true}\n```')).toBe('```\n{"ok": true}\n```');
  });

  it('treats text that merely starts with a brace or bracket as Markdown', () => {
    expect(toSlackMrkdwn('{placeholder} is **bold**')).toBe('{placeholder} is *bold*');
    expect(toSlackMrkdwn('[1] AWS says **so**')).toBe('[1] AWS says *so*');
    expect(toSlackMrkdwn('42')).toBe('42');
  });
});

describe('toSlackMrkdwnPartial', () => {
  it.each([
    ['Use **bold', 'Use *bold*'],
    ['Use **bold*', 'Use *bold*'],
    ['Use **', 'Use'],
    ['Use the *', 'Use the'],
    ['text _it', 'text _it_'],
    ['a ~~old', 'a ~old~'],
    ['**Note:** the `x` and _y', '*Note:* the `x` and _y_'],
    ['**bold _both', '*bold _both_*'],
    ['Run `aws ecs', 'Run `aws ecs`'],
    ['Run `', 'Run'],
    ['Run ``', 'Run'],
    ['See [docs](https://docs.aw', 'See docs'],
    ['See [the **ECS** do', 'See the *ECS* do'],
    ['See ![diagram](http', 'See diagram'],
    ['Visit <https://docs.aws.amazon.com/ecs', 'Visit <https://docs.aws.amazon.com/ecs>'],
    ['snake_case_na', 'snake_case_na'],
    ['reserved_', 'reserved_'],
    ['## ', ''],
    ['- ', ''],
    ['Intro\n\n- first\n-', 'Intro\n\n• first'],
    ['A paragraph\n=', 'A paragraph'],
    ['- item\n  - sub', '• item\n    ◦ sub'],
  ])('%j → %j', (partial, mrkdwn) => {
    expect(toSlackMrkdwnPartial(partial)).toBe(mrkdwn);
  });

  it('closes an open code fence so the code renders as code', () => {
    expect(toSlackMrkdwnPartial('Run:\n\n```bash\naws ecs list-clusters\naws ecs')).toBe('Run:\n\n```\naws ecs list-clusters\naws ecs\n```');
  });

  it('closes a fence inside a list item and a quote', () => {
    expect(toSlackMrkdwnPartial('1. Run:\n   ```bash\n   make')).toBe('1. Run:\n```\nmake\n```');
    expect(toSlackMrkdwnPartial('> ```\n> code')).toBe('```\ncode\n```');
  });

  it('drops a half-typed closing fence and an opening fence with no code yet', () => {
    expect(toSlackMrkdwnPartial('```sh\nmake\n``')).toBe('```\nmake\n```');
    expect(toSlackMrkdwnPartial('Run:\n\n```ba')).toBe('Run:');
    expect(toSlackMrkdwnPartial('Run **this**:\n\n```bash\n')).toBe('Run *this*:');
  });

  it('does not treat markers inside an open code block as Markdown', () => {
    expect(toSlackMrkdwnPartial('```\nx = **y')).toBe('```\nx = **y\n```');
  });

  it('holds a table back until its delimiter row is complete', () => {
    expect(toSlackMrkdwnPartial('Compare:\n\n| A | B |')).toBe('Compare:');
    expect(toSlackMrkdwnPartial('Compare:\n\n| A | B |\n|---|-')).toBe('Compare:\n\n```\nA | B\n--+--\n```');
    expect(toSlackMrkdwnPartial('| A | B | C |\n|---|---')).toBe('');
    expect(toSlackMrkdwnPartial('| A | B |\n|---|---|\n| **Far')).toBe('```\nA   | B\n----+--\nFar |\n```');
  });

  it('shows a streaming JSON answer as code', () => {
    expect(toSlackMrkdwnPartial('{\n  "service": "S3",\n  "note": "a < b')).toBe('```\n{\n  "service": "S3",\n  "note": "a &lt; b\n```');
    expect(toSlackMrkdwnPartial('[{"id"')).toBe('```\n[{"id"\n```');
  });

  it('leaves complete Markdown unchanged', () => {
    const complete = '# Title\n\nText with **bold** and `code`.\n\n```sh\nmake\n```\n';
    expect(healPartialMarkdown(complete)).toBe(complete);
  });

  it.each(corpus)('$name: a complete answer renders as in toSlackMrkdwn', ({ markdown, expected }) => {
    expect(toSlackMrkdwnPartial(markdown)).toBe(expected);
  });

  it.each(corpus)('$name: every prefix (every 37th character) renders as well-formed mrkdwn', ({ markdown }) => {
    for (let end = 0; end <= markdown.length; end += 37) {
      const prefix = markdown.slice(0, end);
      const mrkdwn = toSlackMrkdwnPartial(prefix);
      expect(mrkdwnProblems(mrkdwn), `prefix of ${end} chars: ${JSON.stringify(prefix.slice(-60))}`).toEqual([]);
    }
  });

  it.each(corpus)('$name: every prefix at every character renders without throwing', ({ markdown }) => {
    for (let end = 0; end <= markdown.length; end += 1) {
      expect(() => toSlackMrkdwnPartial(markdown.slice(0, end))).not.toThrow();
    }
  });

  it('renders every prefix of a construct-dense answer, at every character, as well-formed mrkdwn', () => {
    const dense = [
      'Some **bold** and *it* and `code` then [link **b**](https://x.example/a_b) and ~~strike~~ and ***both*** end.',
      '> quote with **bold** and `code`',
      '> - list in quote',
      '1. item with [link](https://a.example)',
      '   - sub *it*',
      '     ```js',
      '     const a = "*";',
      '     ```',
      '| a | **b** | c |',
      '|---|:-:|--:|',
      '| 1 | `x` | [l](https://q.example) |',
      '',
      'Text with snake_case_word and __dunder__ and a_b_c. Also 2 * 3 = 6 and s3:* action.',
      '~~~',
      'tilde fence **',
      '~~~',
      '## Heading with `code` and **bold**',
      '- [ ] task *one*',
      '- [x] task **two**',
      'Final line with <https://auto.example> and https://bare.example/path_x and **done**.',
    ].join('\n');
    for (let end = 0; end <= dense.length; end += 1) {
      const prefix = dense.slice(0, end);
      expect(mrkdwnProblems(toSlackMrkdwnPartial(prefix)), `prefix ${JSON.stringify(prefix.slice(-60))}`).toEqual([]);
    }
  });

  it('keeps literal ``` in text and link labels from opening a Slack code block', () => {
    expect(toSlackMrkdwn('Type \\``` to start')).toBe('Type `\u200b`` to start');
    expect(toSlackMrkdwn('[a ``` b](https://x.example)')).toBe('<https://x.example|a `\u200b`` b>');
  });

  it('is fast enough to run on every streamed update (loose bound)', () => {
    const answer = corpus.map((c) => c.markdown).join('\n\n');
    const fourK = answer.repeat(Math.ceil(4000 / answer.length)).slice(0, 4000);
    for (let i = 0; i < 20; i += 1) toSlackMrkdwnPartial(fourK);
    const runs = 100;
    const start = performance.now();
    for (let i = 0; i < runs; i += 1) toSlackMrkdwnPartial(fourK.slice(0, 4000 - (i % 7)));
    const msPerCall = (performance.now() - start) / runs;
    // Typically ~1 ms on the 2-core CI machine; the bound only catches an accidental blow-up.
    expect(msPerCall).toBeLessThan(50);
  });
});
