/**
 * A token count that errs on the safe side, for keeping a thread's history within its budget
 * before any request is made. Pure.
 *
 * Characters alone mislead: English runs at about 4 characters a token and code at about 3, but
 * minified JSON is near 2, and identifiers, hashes and keys (i-0abc…, base64) are near 1, as are
 * CJK characters. So the text is read in pieces, each counted at least as a tokenizer would:
 * words by length, numbers in short groups, every punctuation mark on its own, newlines, and
 * letter-digit strings as one token a character. Checked against a real Claude BPE tokenizer and
 * the fake API's count_tokens in test/unit/token-estimate.test.ts: about 1.35× the real count on
 * typical answers, and never below it on the dense kinds of text above.
 */
const MESSAGE_OVERHEAD = 4;

/** Long runs mixing letters and digits: ids, hashes, base64. */
const OPAQUE = /[A-Z0-9+=]{16,}/gi;
// Every alternative consumes what it matched, and a run of capitals only ever gives back its
// last letter to a following lowercase word, so a scan is linear; `\x00-\x7f` is the ASCII range.
// eslint-disable-next-line regexp/no-super-linear-move, no-control-regex
const PIECE = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+|\n+|[ \t]+|[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|[^\x00-\x7f]/gu;

export function estimateTokens(text: string): number {
  let tokens = MESSAGE_OVERHEAD;
  const rest = text.replace(OPAQUE, (run) => {
    if (!/\d/.test(run) || !/[A-Z]/i.test(run)) return run;
    tokens += run.length;
    return ' ';
  });
  for (const [piece] of rest.matchAll(PIECE)) tokens += pieceTokens(piece);
  return Math.ceil(tokens);
}

function pieceTokens(piece: string): number {
  const first = piece.codePointAt(0) ?? 0;
  if (/^[A-Z]?[a-z]/.test(piece)) return Math.ceil(piece.length / 5);
  if (/^[A-Z]/.test(piece)) return Math.ceil(piece.length / 2);
  if (/^\d/.test(piece)) return Math.ceil(piece.length / 2);
  if (piece[0] === '\n') return piece.length;
  if (piece[0] === ' ' || piece[0] === '\t') return piece.length > 1 ? Math.ceil(piece.length / 4) : 0;
  if (first < 0x80) return 1;
  // Outside ASCII: accented letters and CJK about one token each, emoji and other astral symbols up to three.
  return first > 0xffff ? 3 : 1.5;
}
