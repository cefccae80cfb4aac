// The tokenizer every component uses: sentences of word tokens with exact UTF-16 offsets into the original text.
// Word rules live in words.ts, sentence rules in sentences.ts, the abbreviation list in abbreviations.ts.
import type { Sentence } from '../types';
import { splitSentences, type SentenceOptions } from './sentences';
import { tokenizeWords, type WordOptions } from './words';

export type TokenizeOptions = WordOptions & SentenceOptions;

/**
 * Splits text into sentences of word tokens. For every token `text.slice(start, end) === token.text`; tokens never
 * contain whitespace; sentences and tokens are in order and never overlap; every non-space character is in a token.
 */
export function tokenize(text: string, options: TokenizeOptions = {}): Sentence[] {
  const { tokens, paragraphStarts, abbreviationPeriods } = tokenizeWords(text, options);
  return splitSentences(tokens, { paragraphStarts, abbreviationPeriods }, options);
}
