// The tokenizer every component uses: sentences of word tokens with exact UTF-16 offsets into the original text.
// Word rules live in words.ts, sentence rules in sentences.ts, the abbreviation list in abbreviations.ts.
import type { Sentence } from '../types';
import { noteStructure } from './noteStructure';
import { splitSentences, type SentenceOptions } from './sentences';
import { tokenizeWords, type WordOptions } from './words';

export type TokenizeOptions = WordOptions & SentenceOptions;

/**
 * Splits text into sentences of word tokens. For every token `text.slice(start, end) === token.text`; tokens never
 * contain whitespace; sentences and tokens are in order and never overlap; every non-space character is in a token.
 * Notes' headings and list items start sentences; de-identification placeholders are never split (noteStructure.ts).
 */
export function tokenize(text: string, options: TokenizeOptions = {}): Sentence[] {
  const { tokens, paragraphStarts, abbreviationPeriods } = tokenizeWords(text, options);
  const { sentenceStarts, unbreakable } = noteStructure(text, tokens);
  return splitSentences(tokens, { paragraphStarts, abbreviationPeriods, sentenceStarts, unbreakable }, options);
}
