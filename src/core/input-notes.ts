/**
 * Notes that tell the person what the bot did with their input when it was not read whole.
 * Shown under the answer (its footnote), never only in logs: an answer to a shortened question
 * must say so. Pure.
 */
export function questionShortenedNote(maxQuestionChars: number): string {
  const limit = maxQuestionChars.toLocaleString('en-US');
  return `_Your message was longer than ${limit} characters, so I read only its first ${limit}. Split a long text or log over several messages, or keep to the part that matters._`;
}

/** Adds the note about a shortened question to whatever footnote the answer already has. */
export function withInputNotes<State>(
  options: { state: State; footnote?: string },
  input: { questionTruncated: boolean },
  maxQuestionChars: number,
): { state: State; footnote?: string } {
  if (!input.questionTruncated) return options;
  const note = questionShortenedNote(maxQuestionChars);
  return { ...options, footnote: options.footnote ? `${options.footnote}\n${note}` : note };
}
