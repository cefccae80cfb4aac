// PLACEHOLDER (coordinator): a minimal regex tokenizer so other parts can run. The foundation work replaces this
// file with the real biomedical tokenizer, keeping the exported signatures.
import type { Sentence, Token } from '../types';

/** Splits text into sentences of word tokens with exact offsets. */
export function tokenize(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  let tokens: Token[] = [];
  const re = /\w+|[^\w\s]/gu;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
    if (/^[.!?]$/.test(m[0])) {
      sentences.push({ start: tokens[0].start, end: m.index + 1, tokens });
      tokens = [];
    }
  }
  if (tokens.length) sentences.push({ start: tokens[0].start, end: tokens[tokens.length - 1].end, tokens });
  return sentences;
}
