import { describe, expect, it } from 'vitest';
import { toSlackMrkdwn } from '../../src/core/slack-format.js';
import { MIN_SPLIT_CHARS, SLACK_MESSAGE_MAX_CHARS, SLACK_TEXT_HARD_LIMIT, splitForSlack } from '../../src/core/split-message.js';
import { fenceLineCount, loadCorpus } from './corpus/mrkdwn-checks.js';

/** What a reader sees, ignoring fences the splitter adds and whitespace at cut points. */
function content(text: string): string {
  return text.replaceAll('```', '').replace(/\s+/g, '');
}

function expectValidChunks(chunks: readonly string[], source: string, maxChars: number): void {
  for (const chunk of chunks) {
    expect(chunk.length).toBeLessThanOrEqual(maxChars);
    expect(chunk.trim().length).toBeGreaterThan(0);
    expect(fenceLineCount(chunk) % 2, `chunk with an open code block:\n${chunk}`).toBe(0);
  }
  expect(content(chunks.join('\n'))).toBe(content(source));
}

function paragraph(label: string, length: number): string {
  return `${label} ${'word '.repeat(length)}`.slice(0, length).trimEnd();
}

/** A small deterministic PRNG so generated documents are the same on every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function generatedDocument(seed: number): string {
  const random = prng(seed);
  const blocks: string[] = [];
  for (let i = 0; i < 40; i += 1) {
    const pick = random();
    if (pick < 0.5) blocks.push(paragraph(`p${i}`, 20 + Math.floor(random() * 400)));
    else if (pick < 0.75) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 60) }, (_, n) => `  line ${n} of block ${i} ${'x'.repeat(Math.floor(random() * 90))}`);
      blocks.push(['```', ...lines, '```'].join('\n'));
    } else if (pick < 0.9) {
      blocks.push(Array.from({ length: 1 + Math.floor(random() * 12) }, (_, n) => `• item ${n} &amp; *bold* <https://x.example/${n}|link>`).join('\n'));
    } else {
      blocks.push('y'.repeat(50 + Math.floor(random() * 900)));
    }
  }
  return blocks.join(random() < 0.5 ? '\n\n' : '\n');
}

describe('splitForSlack limits', () => {
  it('exports a default that follows Slack guidance', () => {
    expect(SLACK_MESSAGE_MAX_CHARS).toBeLessThanOrEqual(4000);
    expect(SLACK_TEXT_HARD_LIMIT).toBe(40_000);
  });

  it('uses the default limit when none is given', () => {
    const text = Array.from({ length: 40 }, (_, i) => paragraph(`p${i}`, 300)).join('\n\n');
    const chunks = splitForSlack(text);
    expect(chunks.length).toBeGreaterThan(1);
    expectValidChunks(chunks, text, SLACK_MESSAGE_MAX_CHARS);
  });

  it('rejects limits it cannot honour', () => {
    expect(() => splitForSlack('text', MIN_SPLIT_CHARS - 1)).toThrow(RangeError);
    expect(() => splitForSlack('text', SLACK_TEXT_HARD_LIMIT + 1)).toThrow(RangeError);
    expect(() => splitForSlack('text', 100.5)).toThrow(RangeError);
  });
});

describe('splitForSlack small inputs', () => {
  it('returns short text as one chunk', () => {
    expect(splitForSlack('hello *world*', 100)).toEqual(['hello *world*']);
  });

  it('returns no chunk for empty text and the text itself for whitespace', () => {
    expect(splitForSlack('', 100)).toEqual([]);
    expect(splitForSlack(' ', 100)).toEqual([' ']);
  });

  it('drops blank lines at the edges of a chunk but keeps indentation', () => {
    expect(splitForSlack('\n\n    ◦ nested\n\n', 100)).toEqual(['    ◦ nested']);
  });
});

describe('splitForSlack cut points', () => {
  it('cuts between paragraphs first', () => {
    const [a, b, c] = [paragraph('A', 60), paragraph('B', 60), paragraph('C', 60)];
    expect(splitForSlack(`${a}\n\n${b}\n\n${c}`, 130)).toEqual([`${a}\n\n${b}`, c]);
  });

  it('moves a whole paragraph to the next chunk rather than cutting it', () => {
    const [a, b] = [paragraph('A', 50), paragraph('B', 80)];
    expect(splitForSlack(`${a}\n\n${b}`, 100)).toEqual([a, b]);
  });

  it('cuts between lines when a paragraph is too long', () => {
    const lines = Array.from({ length: 6 }, (_, i) => paragraph(`L${i}`, 30));
    const chunks = splitForSlack(lines.join('\n'), 70);
    expect(chunks).toEqual([`${lines[0]}\n${lines[1]}`, `${lines[2]}\n${lines[3]}`, `${lines[4]}\n${lines[5]}`]);
  });

  it('cuts a single huge line at whitespace', () => {
    const line = Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ');
    const chunks = splitForSlack(line, 60);
    for (const chunk of chunks) expect(chunk).toMatch(/^word\d+( word\d+)*$/);
    expectValidChunks(chunks, line, 60);
  });

  it('hard-cuts a huge line without whitespace, but not inside an entity, a link or a surrogate pair', () => {
    const entityLine = `${'a'.repeat(18)}&amp;${'b'.repeat(30)}`;
    expect(splitForSlack(entityLine, 20)[0]).toBe('a'.repeat(18));
    const linkLine = `${'a'.repeat(15)}<https://x.y|z>${'b'.repeat(30)}`;
    expect(splitForSlack(linkLine, 20)[0]).toBe('a'.repeat(15));
    const emojiLine = `${'a'.repeat(19)}😀${'b'.repeat(30)}`;
    expect(splitForSlack(emojiLine, 20)[0]).toBe('a'.repeat(19));
    for (const line of [entityLine, linkLine, emojiLine]) expectValidChunks(splitForSlack(line, 20), line, 20);
  });
});

describe('splitForSlack code blocks', () => {
  it('never cuts a code block that fits into one chunk', () => {
    const code = ['```', 'aws ecs list-clusters', 'aws ecs list-services --cluster prod', '```'].join('\n');
    const text = `${paragraph('Intro', 60)}\n\n${code}\n\n${paragraph('Outro', 30)}`;
    const chunks = splitForSlack(text, 90);
    expect(chunks).toContain(code);
    expectValidChunks(chunks, text, 90);
  });

  it('splits an oversized code block into complete blocks', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `echo "line ${i}"`);
    const text = `Run this:\n\n${['```', ...lines, '```'].join('\n')}\n\nDone.`;
    const chunks = splitForSlack(text, 120);
    const codeChunks = chunks.filter((chunk) => chunk.includes('echo'));
    expect(codeChunks.length).toBeGreaterThan(2);
    for (const chunk of codeChunks) {
      expect(chunk).toMatch(/^```\n[^`]*\n```(?:\n\nDone\.)?$/);
    }
    expectValidChunks(chunks, text, 120);
    // The code lines themselves come through in order and intact.
    const codeLines = chunks.join('\n').split('\n').filter((line) => line.startsWith('echo'));
    expect(codeLines).toEqual(lines);
  });

  it('hard-cuts a code line longer than a chunk, keeping its characters exactly', () => {
    const longLine = `aws s3api put-bucket-policy --policy ${'x'.repeat(200)}`;
    const text = ['```', longLine, '```'].join('\n');
    const chunks = splitForSlack(text, 60);
    expectValidChunks(chunks, text, 60);
    const rejoined = chunks.map((chunk) => chunk.replace(/^```\n/, '').replace(/\n```$/, '')).join('');
    expect(rejoined).toBe(longLine);
  });

  it('moves text on fence lines (mrkdwn has no language tag) into the split blocks', () => {
    const text = ['```bash', ...Array.from({ length: 10 }, (_, i) => `step ${i}`), 'last```'].join('\n');
    const chunks = splitForSlack(text, 40);
    expectValidChunks(chunks, text, 40);
    expect(chunks[0]?.startsWith('```\nbash\n')).toBe(true);
    expect(chunks[chunks.length - 1]?.endsWith('last\n```')).toBe(true);
  });

  it('closes an unclosed oversized code block in every chunk', () => {
    const text = ['```', ...Array.from({ length: 20 }, (_, i) => `row ${i}`)].join('\n');
    const chunks = splitForSlack(text, 40);
    expectValidChunks(chunks, text, 40);
  });

  it('keeps a one-line ```code``` span as text', () => {
    const text = `${paragraph('A', 30)}\n\`\`\`inline\`\`\` ${paragraph('B', 40)}\n${paragraph('C', 30)}`;
    expectValidChunks(splitForSlack(text, 50), text, 50);
  });
});

describe('splitForSlack on real output', () => {
  const corpusMrkdwn = loadCorpus()
    .map(({ markdown }) => toSlackMrkdwn(markdown))
    .join('\n\n');

  it.each([100, 250, 500, 1000, 3000])('splits the whole corpus at %i chars into valid chunks', (maxChars) => {
    expectValidChunks(splitForSlack(corpusMrkdwn, maxChars), corpusMrkdwn, maxChars);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('splits generated document %i into valid chunks', (seed) => {
    const text = generatedDocument(seed);
    for (const maxChars of [MIN_SPLIT_CHARS, 64, 333, 1000, 3900]) {
      expectValidChunks(splitForSlack(text, maxChars), text, maxChars);
    }
  });
});
