import { describe, expect, it } from 'vitest';
import { questionShortenedNote, withInputNotes } from '../../src/core/input-notes.js';

describe('withInputNotes', () => {
  it('leaves the options alone when the question was read whole', () => {
    const options = { state: 'done' as const };
    expect(withInputNotes(options, { questionTruncated: false }, 12_000)).toBe(options);
  });

  it('adds a note naming the limit when the question was shortened', () => {
    expect(withInputNotes({ state: 'done' as const }, { questionTruncated: true }, 12_000)).toEqual({ state: 'done', footnote: questionShortenedNote(12_000) });
    expect(questionShortenedNote(12_000)).toContain('longer than 12,000 characters');
  });

  it('keeps a footnote the answer already has', () => {
    const result = withInputNotes({ state: 'truncated' as const, footnote: '_Press Continue for the rest._' }, { questionTruncated: true }, 500);
    expect(result.footnote).toBe(`_Press Continue for the rest._\n${questionShortenedNote(500)}`);
  });
});
