import { describe, expect, it } from 'vitest';
import { MAX_TITLE_CHARS, SUGGESTED_PROMPTS, threadTitle } from '../../src/core/assistant-copy.js';

describe('threadTitle', () => {
  it('keeps a short question as it is, whitespace tidied', () => {
    expect(threadTitle('  How do I   set up ECS?  ')).toBe('How do I set up ECS?');
  });

  it('uses the first non-empty line', () => {
    expect(threadTitle('\n\nWhy does this template fail?\n```yaml\nResources: {}\n```')).toBe('Why does this template fail?');
  });

  it('cuts a long question at a word and marks the cut', () => {
    const title = threadTitle('What is the cheapest way to run a small PostgreSQL database on AWS for a side project with little traffic?');
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
    expect(title).toBe('What is the cheapest way to run a small PostgreSQL database…');
    expect(threadTitle('How should I configure cross-account access between several AWS Organizations accounts?')).toBe(
      'How should I configure cross-account access between several…',
    );
  });

  it('cuts inside a word only when the first word is itself too long', () => {
    const title = threadTitle('x'.repeat(200));
    expect(title).toBe(`${'x'.repeat(MAX_TITLE_CHARS - 1)}…`);
  });

  it('names a thread whose question has no text', () => {
    expect(threadTitle('   \n ')).toBe('AWS question');
  });
});

describe('suggested prompts', () => {
  it('fit what Slack shows: at most four, each with a title and a message', () => {
    expect(SUGGESTED_PROMPTS.length).toBeGreaterThan(0);
    expect(SUGGESTED_PROMPTS.length).toBeLessThanOrEqual(4);
    for (const prompt of SUGGESTED_PROMPTS) {
      expect(prompt.title.length).toBeGreaterThan(0);
      expect(prompt.message.length).toBeGreaterThan(prompt.title.length);
    }
  });
});
