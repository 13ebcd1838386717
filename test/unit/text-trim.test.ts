import { describe, expect, it } from 'vitest';
import { joinLines, trimEndOf, trimTrailingBlankLines, withoutTrailingBlankLines } from '../../src/core/text-trim.js';

describe('trimming text', () => {
  it('drops blank lines at the end, keeping those inside and blank text as it is', () => {
    expect(trimTrailingBlankLines('one\n\ntwo\n  \n\t\n')).toBe('one\n\ntwo');
    expect(trimTrailingBlankLines('one')).toBe('one');
    expect(trimTrailingBlankLines('  ')).toBe('  ');
    expect(withoutTrailingBlankLines(['a', '', 'b', ' ', ''])).toEqual(['a', '', 'b']);
    expect(withoutTrailingBlankLines([' ', ''])).toEqual([]);
  });

  it('trims a set of characters from the end and joins lines with single spaces', () => {
    expect(trimEndOf('text.,.', '.,')).toBe('text');
    expect(joinLines(' a \n\n  b\n')).toBe('a b');
  });

  it('keeps long runs that are not at the end', () => {
    const crafted = `${' \n'.repeat(50_000)}x`;
    expect(trimTrailingBlankLines(crafted)).toBe(crafted);
    expect(trimEndOf(`${'.'.repeat(100_000)}x`, '.')).toHaveLength(100_001);
  });
});
