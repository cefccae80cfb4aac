// Word and character vocabularies, built from text and stored as plain text files (one entry per line).
import { join } from 'node:path';
import { inputError } from '../errors';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { MAX_MODEL_FILE_BYTES, readFileBoundedSync } from '../formats/boundedRead';

export const WORDS_FILE = 'words.txt';
export const CHARS_FILE = 'chars.txt';

export const UNK_WORD = '<unk>';
export const BOS_WORD = '<s>';
export const EOS_WORD = '</s>';

export const PAD_CHAR = '<pad>';
export const UNK_CHAR = '<unk>';
export const BOW_CHAR = '<bow>';
export const EOW_CHAR = '<eow>';

/** Word vocabulary: ids 0..2 are <unk>, <s>, </s>; then words by decreasing frequency (sampled softmax relies on it). */
export class WordVocab {
  private readonly index = new Map<string, number>();
  constructor(readonly words: string[]) {
    words.forEach((w, i) => {
      if (!this.index.has(w)) this.index.set(w, i);
    });
  }
  get size(): number {
    return this.words.length;
  }
  id(word: string): number {
    return this.index.get(word) ?? 0;
  }
  static build(counts: Map<string, number>, maxWords: number, minCount: number): WordVocab {
    const sorted = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return new WordVocab([UNK_WORD, BOS_WORD, EOS_WORD, ...sorted.slice(0, Math.max(0, maxWords)).map(([w]) => w)]);
  }
}

/** Character vocabulary: ids 0..3 are <pad>, <unk>, <bow>, <eow>; then characters (Unicode code points). */
export class CharVocab {
  private readonly index = new Map<string, number>();
  constructor(readonly chars: string[]) {
    chars.forEach((c, i) => this.index.set(c, i));
  }
  get size(): number {
    return this.chars.length;
  }
  id(char: string): number {
    return this.index.get(char) ?? 1;
  }
  /**
   * Char ids of a word with begin/end markers, truncated to maxChars (markers kept), right-padded with 0 to `width`
   * into `out` at `offset`.
   */
  encodeInto(word: string, maxChars: number, out: Int32Array, offset: number): void {
    const chars = Array.from(word);
    const body = Math.min(chars.length, maxChars - 2);
    out[offset] = 2;
    for (let i = 0; i < body; i++) out[offset + 1 + i] = this.id(chars[i]);
    out[offset + 1 + body] = 3;
  }
  /** Encoded length of a word (with markers, truncated). */
  static encodedLength(word: string, maxChars: number): number {
    let n = 0;
    for (const _ of word) n++;
    return Math.min(n, maxChars - 2) + 2;
  }
  static build(counts: Map<string, number>, minCount: number): CharVocab {
    const sorted = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return new CharVocab([PAD_CHAR, UNK_CHAR, BOW_CHAR, EOW_CHAR, ...sorted.map(([c]) => c)]);
  }
}

/** Counts words and characters of tokenised sentences. */
export class VocabCounter {
  readonly words = new Map<string, number>();
  readonly chars = new Map<string, number>();
  tokens = 0;
  add(words: string[]): void {
    for (const w of words) {
      this.tokens++;
      this.words.set(w, (this.words.get(w) ?? 0) + 1);
      for (const c of w) this.chars.set(c, (this.chars.get(c) ?? 0) + 1);
    }
  }
}

/** Writes words.txt and chars.txt into dir (atomically). Entries never contain newlines (tokens have no spaces). */
export function saveVocabs(dir: string, words: WordVocab, chars: CharVocab): void {
  writeFileAtomicSync(join(dir, WORDS_FILE), words.words.join('\n') + '\n');
  writeFileAtomicSync(join(dir, CHARS_FILE), chars.chars.map(escapeChar).join('\n') + '\n');
}

export function loadVocabs(dir: string): { words: WordVocab; chars: CharVocab } {
  return { words: loadWordVocab(join(dir, WORDS_FILE)), chars: loadCharVocab(join(dir, CHARS_FILE)) };
}

function readLines(file: string): string[] {
  const text = readFileBoundedSync(file, MAX_MODEL_FILE_BYTES).toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function loadWordVocab(file: string): WordVocab {
  const lines = readLines(file);
  if (lines[0] !== UNK_WORD || lines[1] !== BOS_WORD || lines[2] !== EOS_WORD) {
    throw inputError(file, 1, `a word vocabulary starts with ${UNK_WORD}, ${BOS_WORD}, ${EOS_WORD}`);
  }
  lines.forEach((w, i) => {
    if (w === '') throw inputError(file, i + 1, 'empty word');
  });
  return new WordVocab(lines);
}

export function loadCharVocab(file: string): CharVocab {
  const lines = readLines(file).map(unescapeChar);
  if (lines[0] !== PAD_CHAR || lines[1] !== UNK_CHAR || lines[2] !== BOW_CHAR || lines[3] !== EOW_CHAR) {
    throw inputError(file, 1, `a char vocabulary starts with ${PAD_CHAR}, ${UNK_CHAR}, ${BOW_CHAR}, ${EOW_CHAR}`);
  }
  return new CharVocab(lines);
}

/** Chars are stored one per line; whitespace-like and backslash characters are written as \u{hex}. */
function escapeChar(c: string): string {
  if (c.length > 1 && c.startsWith('<')) return c;
  return /^[\s\\]$/u.test(c) || c === '' ? `\\u{${c.codePointAt(0)!.toString(16)}}` : c;
}

function unescapeChar(line: string): string {
  const m = /^\\u\{([0-9a-f]+)\}$/.exec(line);
  return m ? String.fromCodePoint(parseInt(m[1], 16)) : line;
}
