// Sentence splitting over word tokens. A sentence ends after a terminal mark (". ! ? …" and friends, plus any
// closing quotes/brackets glued to it) that is followed by whitespace and by something that can start a sentence,
// unless the period belongs to an abbreviation token or a single-letter initial ("E. coli", "J. Smith").
// Blank lines always end a sentence, and so does the note's structure when the caller passes it (noteStructure.ts:
// headings, list items); no sentence ends inside an unbreakable range (a de-identification placeholder). Linear in the
// number of tokens.
import type { Sentence, Token } from '../types';
import { abbreviationMayEndSentence, isAbbreviation } from './abbreviations';

export interface SentenceOptions {
  /** Longer runs without a sentence end are cut into pieces of this many tokens (the model's batches stay bounded). */
  maxTokensPerSentence?: number;
}

/** Default cut for run-on "sentences" (tables, lists without periods); BC5CDR's longest sentence has 225 tokens. */
export const DEFAULT_MAX_TOKENS_PER_SENTENCE = 400;

const TERMINALS = new Set(['.', '!', '?', '…', '。', '！', '？', '‼', '⁇', '⁈', '⁉', '‽']);
const CLOSERS = new Set([')', ']', '}', '"', "'", '”', '’', '»', '›', '」', '』']);
/** Tokens that continue a sentence even after a terminal: "(p. < 0.05)", "?, and". */
const CONTINUERS = new Set([',', ';', ':', '%', ')', ']', '}']);
const STARTS_LOWER = /^\p{Ll}/u;
const STARTS_UPPER = /^\p{Lu}/u;
const LOWER_THEN_UPPER_OR_DIGIT = /^\p{Ll}+[\p{Lu}\p{Nd}]/u;
/** Titles before initials: "Dr. J. Smith". */
const TITLES = new Set(['dr.', 'mr.', 'mrs.', 'ms.', 'prof.', 'drs.', 'st.']);
const SINGLE_UPPER = /^\p{Lu}$/u;
const NUMBER_OR_LETTER = /^(?:\p{Nd}{1,3}|\p{L})$/u;
const DOTS = /^\.+$/;
const HGVS_PREFIX = /^[cgmnrp]$/;
/** What follows "c. " or "p. " in a variant: a position ("529T", "-23A") or a residue and position ("K237N"). */
const HGVS_AFTER_SPACE = /^(?:[-*]?\d|[A-Z](?:[a-z]{2})?\d)/;

function isTerminal(token: string): boolean {
  return TERMINALS.has(token) || DOTS.test(token);
}

/** What the word tokenizer knows beyond the tokens. */
export interface WordHints {
  /** Token indices that follow a blank line (hard breaks). */
  paragraphStarts?: readonly number[];
  /** Final "." tokens of abbreviations written as separate tokens, mapped to whether they may end a sentence. */
  abbreviationPeriods?: ReadonlyMap<number, boolean>;
  /** Token indices that start a sentence whatever precedes them (section headings, list items). */
  sentenceStarts?: readonly number[];
  /** Character ranges, in order, that no sentence boundary may fall inside (de-identification placeholders). */
  unbreakable?: ReadonlyArray<{ start: number; end: number }>;
}

/** Groups tokens into sentences. Sentence offsets run from the first token's start to the last token's end. */
export function splitSentences(tokens: Token[], hints: WordHints = {}, options: SentenceOptions = {}): Sentence[] {
  const abbreviationPeriods = hints.abbreviationPeriods ?? new Map<number, boolean>();
  const maxTokens = Math.max(1, options.maxTokensPerSentence ?? DEFAULT_MAX_TOKENS_PER_SENTENCE);
  const hardBreaks = new Set([...(hints.paragraphStarts ?? []), ...(hints.sentenceStarts ?? [])]);
  const glued = gluedTokens(tokens, hints.unbreakable ?? []);
  const sentences: Sentence[] = [];
  let first = 0;
  const close = (last: number): void => {
    const slice = tokens.slice(first, last + 1);
    sentences.push({ start: slice[0].start, end: slice[slice.length - 1].end, tokens: slice });
    first = last + 1;
  };

  for (let k = 0; k < tokens.length; k++) {
    if (k > first && hardBreaks.has(k) && !glued.has(k - 1)) close(k - 1);
    if (k - first + 1 >= maxTokens && !glued.has(k)) {
      close(k);
      continue;
    }
    if (endsSentence(k)) {
      let last = k;
      // Closing quotes/brackets written right after the terminal belong to this sentence: `He left.")`.
      while (last + 1 < tokens.length && tokens[last + 1].start === tokens[last].end && CLOSERS.has(tokens[last + 1].text)) last++;
      if (!glued.has(last) && startsNewSentence(k, last)) {
        close(last);
        k = last;
      }
    }
  }
  if (first < tokens.length) close(tokens.length - 1);
  return sentences;

  function endsSentence(k: number): boolean {
    const token = tokens[k].text;
    if (isTerminal(token)) return true;
    // "etc." may end a sentence, "e.g." never does.
    return token.length > 1 && token.endsWith('.') && isAbbreviation(token) && abbreviationMayEndSentence(token);
  }

  /** True if token `i` (just before a capital letter and its period) is a title or another initial. */
  function isInitialContext(i: number): boolean {
    const t = tokens[i].text;
    if (TITLES.has(t.toLowerCase())) return true;
    if (t === '.' && i > 0) return SINGLE_UPPER.test(tokens[i - 1].text) || TITLES.has(`${tokens[i - 1].text.toLowerCase()}.`);
    return false;
  }

  /** Whether the text after the terminal at `k` (with closers up to `last`) starts a new sentence. */
  function startsNewSentence(k: number, last: number): boolean {
    const next = tokens[last + 1];
    if (!next) return true;
    if (hardBreaks.has(last + 1)) return true;
    // "end.Next", "Fig.2": a real sentence end is followed by whitespace.
    if (next.start === tokens[last].end) return false;
    // A lowercase word continues the sentence, except gene/protein-style names that start sentences in biomedical
    // text ("mRNA levels...", "cTnT rose...", "alpha3 mice...").
    if ((STARTS_LOWER.test(next.text) && !LOWER_THEN_UPPER_OR_DIGIT.test(next.text)) || CONTINUERS.has(next.text)) return false;
    const token = tokens[k].text;
    const abbreviationMayEnd = abbreviationPeriods.get(k);
    if (abbreviationMayEnd !== undefined) return abbreviationMayEnd && STARTS_UPPER.test(next.text);
    if (token !== '.' && !DOTS.test(token)) {
      if (isTerminal(token)) return true;
      return STARTS_UPPER.test(next.text); // an abbreviation token that may end a sentence ("etc.")
    }
    const previous = tokens[k - 1];
    if (previous && previous.end === tokens[k].start) {
      const startsChunk = k - 1 === 0 || tokens[k - 2].end < previous.start;
      // An HGVS prefix written with a space: "c. 529T>C", "p. K237N" (one variant, not two sentences).
      if (startsChunk && HGVS_PREFIX.test(previous.text) && HGVS_AFTER_SPACE.test(next.text)) return false;
      // Initials: "J. Smith", "Dr. J. R. Smith". A capital letter after an ordinary word usually ends a sentence in
      // abstracts ("vitamin D. The", "hepatitis C. Intravenous"); "E. coli" is kept whole by the lowercase rule.
      if (startsChunk && SINGLE_UPPER.test(previous.text) && (k - 1 === first || isInitialContext(k - 2))) return false;
      // List markers: "1. Aspirin", "a. Ibuprofen" (the sentence so far is only the marker).
      if (k - 1 === first && NUMBER_OR_LETTER.test(previous.text)) return false;
    }
    return true;
  }
}

/** Indices k of tokens glued to token k + 1 because both lie in the same unbreakable range. */
function gluedTokens(tokens: readonly Token[], unbreakable: ReadonlyArray<{ start: number; end: number }>): Set<number> {
  const glued = new Set<number>();
  let r = 0;
  for (let k = 0; k + 1 < tokens.length && r < unbreakable.length; k++) {
    while (r < unbreakable.length && unbreakable[r].end <= tokens[k].start) r++;
    const range = unbreakable[r];
    if (range && range.start <= tokens[k].start && tokens[k + 1].end <= range.end) glued.add(k);
  }
  return glued;
}
