// Word tokenization with exact UTF-16 offsets. Two passes, both linear in the text length:
//  1. one sticky regex cuts the text into atoms: whitespace runs, letter/digit runs (with their combining marks)
//     and single other characters (with combining marks, emoji modifiers and ZWJ sequences attached, so a surrogate
//     pair or a base + combining mark is never split);
//  2. a left-to-right merge glues atoms that form one biomedical word: decimals ("2.5"), thousands ("1,000"),
//     HGVS names ("p.Phe508del", "c.1521_1523delCTT", "p.(Gly12Cys)"), gene/drug codes across hyphens ("IL-2", "5-FU", "COVID-19") and known
//     abbreviations ("e.g.", "b.i.d."). Ion charges stay separate ("Na" "+"): BC5CDR annotates "Na" in "Na+".
// Everything else is split as in the BC5CDR CoNLL corpus, which cuts every punctuation character into its own token
// ("Parkinson ' s", "dopamine - induced", "mg / kg"); see scripts/measure-boundaries.ts for the measured effect.
import type { Token } from '../types';
import { abbreviationMayEndSentence, isAbbreviation, MAX_ABBREVIATION_PARTS } from './abbreviations';

/** How hyphens between two letter/digit runs are treated. */
export type HyphenPolicy =
  /** Join only code-like parts: "IL-2", "5-FU", "COVID-19", "MK-801"; split "dopamine-induced", "3-4". */
  | 'codes'
  /** Always a separate "-" token, exactly like the BC5CDR CoNLL files. */
  | 'split'
  /** Never split a hyphen between letters/digits ("dopamine-induced" stays whole). */
  | 'keep';

/**
 * - 'biomedical' (default): the merges described at the top of this file.
 * - 'conll': every punctuation character is its own token and nothing is merged ("2 . 5", "e . g .", "5 - FU"),
 *   reproducing the BC5CDR CoNLL files token for token; abbreviations are still recognised for sentence splitting.
 */
export type WordStyle = 'biomedical' | 'conll';

export interface WordOptions {
  style?: WordStyle;
  /** Only for the 'biomedical' style ('conll' always splits). */
  hyphens?: HyphenPolicy;
}

export interface WordScan {
  tokens: Token[];
  /** Indices into `tokens` of tokens that follow a blank line (or a paragraph separator): hard sentence breaks. */
  paragraphStarts: number[];
  /**
   * Token index of the final "." of each abbreviation written as separate tokens ('conll' style), mapped to whether
   * the abbreviation may end a sentence ("etc."). In the 'biomedical' style abbreviations are single tokens instead.
   */
  abbreviationPeriods: Map<number, boolean>;
}

const enum Kind {
  Space,
  Word,
  Other,
}

/** Atoms in parallel typed arrays: millions of them for a 10 MB text, so no object per atom. */
class Atoms {
  length = 0;
  kinds = new Uint8Array(1024);
  starts = new Int32Array(1024);
  ends = new Int32Array(1024);

  push(kind: Kind, start: number, end: number): void {
    if (this.length === this.kinds.length) {
      const grow = <T extends Uint8Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.kinds = grow(this.kinds);
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    this.kinds[this.length] = kind;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }
}

// Group 1: whitespace (plus zero-width space / word joiner, which are invisible separators).
// Group 2: a letter/digit run; combining marks and ZWJ stay inside it.
// Group 3: a pair of regional indicators (a flag) or any other single code point with its marks, emoji modifiers,
// variation selectors and ZWJ-joined followers.
const ATOM =
  /([\s\u200b\u2060]+)|([\p{L}\p{N}][\p{L}\p{N}\p{M}\u200d]*)|(\p{Regional_Indicator}{2}|[^\s\u200b\u2060\p{L}\p{N}](?:[\p{M}\p{Emoji_Modifier}]|\u200d[^\s\u200b\u2060])*)/uy;

/**
 * An HGVS name, kept one token in the 'biomedical' style: a sequence prefix and a description made of letters, digits
 * and the signs HGVS uses inside one ("_", ">", "+", "-", "*", "?", "="; parentheses around a predicted protein
 * change), ending on a letter, digit, "*", "?", "=" or ")". "c.1521_1523delCTT", "c.1402-1C>G", "p.(Gly12Cys)".
 */
const HGVS_NAME = /[cgmnr]\.[-*]?\d(?:[\p{L}\p{N}_*?=]|[+\->](?=[\p{L}\p{N}*?]))*|p\.(?:\([A-Z][\p{L}\p{N}_*?=]*\)|[A-Z][\p{L}\p{N}_*?=]*)/uy;
const PROTEIN_CHANGE = /^[ACDEFGHIKLMNPQRSTVWY]\d+[ACDEFGHIKLMNPQRSTVWYX]$/;
const DIGITS = /^\p{Nd}+$/u;
const DIGIT_FIRST = /^\p{Nd}/u;
const DIGIT_LAST = /\p{Nd}$/u;
const HAS_DIGIT = /\p{Nd}/u;
const HAS_LOWER = /\p{Ll}/u;
const HAS_UPPER_OR_DIGIT = /[\p{Lu}\p{Nd}]/u;
const PARAGRAPH_SEPARATOR = /\u2029|(?:\r\n|\r|\n|\u2028)[^\S\r\n\u2028]*(?:\r\n|\r|\n|\u2028)/;

/** ASCII class of a char code: 0 space, 1 letter/digit, 2 other; -1 for non-ASCII. */
function asciiClass(c: number): number {
  if (c >= 128) return -1;
  if (c === 32 || (c >= 9 && c <= 13)) return 0;
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return 1;
  return 2;
}

const KIND_OF_CLASS = [Kind.Space, Kind.Word, Kind.Other];

function scanAtoms(text: string): Atoms {
  const atoms = new Atoms();
  const n = text.length;
  let i = 0;
  while (i < n) {
    // Fast path: an atom made only of ASCII and not followed by a non-ASCII char that could extend it.
    const cls = asciiClass(text.charCodeAt(i));
    if (cls >= 0) {
      let j = i + 1;
      if (cls !== 2) while (j < n && asciiClass(text.charCodeAt(j)) === cls) j++;
      if (j === n || text.charCodeAt(j) < 128) {
        atoms.push(KIND_OF_CLASS[cls], i, j);
        i = j;
        continue;
      }
    }
    ATOM.lastIndex = i;
    const m = ATOM.exec(text);
    if (!m) throw new Error(`tokenizer: no atom at offset ${i}`); // unreachable: the three groups cover everything
    atoms.push(m[1] !== undefined ? Kind.Space : m[2] !== undefined ? Kind.Word : Kind.Other, i, ATOM.lastIndex);
    i = ATOM.lastIndex;
  }
  return atoms;
}

/** A code-like part of a hyphenated name: digits, an all-caps code ("COVID", "MK"), or a short mixed one ("CoV", "p53"). */
function isCodePart(s: string): boolean {
  if (DIGITS.test(s)) return true;
  if (!HAS_LOWER.test(s)) return s.length <= 8;
  return s.length <= 4 && HAS_UPPER_OR_DIGIT.test(s);
}

/** Characters that may glue two letter/digit runs into one word (see joinsAcross). */
const JOINERS = new Set(['.', ',', '-', '\u2010', '\u2011']);

function joinsAcross(left: string, separator: string, right: string, hyphens: HyphenPolicy): boolean {
  switch (separator) {
    case '.':
      // "2.5", "D4.2" (receptor subtypes); "p.Phe508del", "c.1521" (a one-character prefix).
      return (DIGIT_LAST.test(left) && DIGIT_FIRST.test(right)) || [...left].length === 1;
    case ',':
      // Thousands: "1,000", "12,500,000"; not "3,4-dihydroxy" or "20,000fold".
      return DIGITS.test(left) && left.length <= 3 && DIGITS.test(right) && right.length === 3;
    case '-':
    case '\u2010': // Unicode hyphen
    case '\u2011': // non-breaking hyphen
      if (hyphens === 'split') return false;
      if (hyphens === 'keep') return true;
      // Both parts code-like and exactly one of them with a digit: "IL-2", "5-FU", "MK-801"; not the range "3-4",
      // and not letter codes such as "ATT-ALF" or "DXR-CM" where BC5CDR annotates one side alone.
      // A protein change after a gene is its own word: "KRAS-G12C" (a VARIANT next to the gene).
      return isCodePart(left) && isCodePart(right) && HAS_DIGIT.test(left) !== HAS_DIGIT.test(right) && !PROTEIN_CHANGE.test(right);
    default:
      return false;
  }
}

/** Splits `text` into word tokens (no whitespace inside any token) and records blank-line breaks. */
export function tokenizeWords(text: string, options: WordOptions = {}): WordScan {
  const conllStyle = options.style === 'conll';
  const hyphens = conllStyle ? 'split' : options.hyphens ?? 'codes';
  const abbreviationPeriods = new Map<number, boolean>();
  const atoms = scanAtoms(text);
  const tokens: Token[] = [];
  const paragraphStarts: number[] = [];
  const { kinds, starts, ends } = atoms;
  const at = (i: number): string => text.slice(starts[i], ends[i]);
  /** The single character of a one-char atom, or '' (cheap test for ".", ",", "-" without slicing). */
  const charAt = (i: number): string => (ends[i] - starts[i] === 1 ? text[starts[i]] : '');
  const isKind = (i: number, kind: Kind): boolean => i >= 0 && i < atoms.length && kinds[i] === kind;
  const push = (first: number, last: number): void => {
    const start = starts[first];
    const end = ends[last];
    tokens.push({ text: text.slice(start, end), start, end });
  };

  let i = 0;
  while (i < atoms.length) {
    const kind = kinds[i];
    if (kind === Kind.Space) {
      if (tokens.length > 0 && PARAGRAPH_SEPARATOR.test(at(i))) paragraphStarts.push(tokens.length);
      i++;
      continue;
    }
    if (kind === Kind.Word) {
      const hgvsEnd = conllStyle ? -1 : matchHgvs(i);
      if (hgvsEnd >= 0) {
        push(i, hgvsEnd);
        i = hgvsEnd + 1;
        continue;
      }
      const abbreviationEnd = matchAbbreviation(i);
      if (abbreviationEnd >= 0) {
        if (conllStyle) {
          for (let k = i; k <= abbreviationEnd; k++) push(k, k);
          abbreviationPeriods.set(tokens.length - 1, abbreviationMayEndSentence(text.slice(starts[i], ends[abbreviationEnd])));
        } else {
          push(i, abbreviationEnd);
        }
        i = abbreviationEnd + 1;
        continue;
      }
      if (conllStyle) {
        push(i, i);
        i++;
        continue;
      }
      let last = i;
      while (
        isKind(last + 1, Kind.Other) &&
        isKind(last + 2, Kind.Word) &&
        JOINERS.has(charAt(last + 1)) &&
        joinsAcross(at(last), charAt(last + 1), at(last + 2), hyphens)
      ) {
        last += 2;
      }
      push(i, last);
      i = last + 1;
      continue;
    }
    const symbol = conllStyle ? '' : charAt(i);
    // A leading decimal point: ".05" in "P<.05".
    if (symbol === '.' && !isKind(i - 1, Kind.Word) && isKind(i + 1, Kind.Word) && DIGITS.test(at(i + 1))) {
      push(i, i + 1);
      i += 2;
      continue;
    }
    // An ellipsis written as dots stays one token.
    if (symbol === '.') {
      let last = i;
      while (isKind(last + 1, Kind.Other) && charAt(last + 1) === '.') last++;
      push(i, last);
      i = last + 1;
      continue;
    }
    push(i, i);
    i++;
  }
  return { tokens, paragraphStarts, abbreviationPeriods };

  /** If atoms from `first` spell an HGVS name ("c.1521_1523delCTT", "p.(Gly12Cys)"), the index of its last atom, else -1. */
  function matchHgvs(first: number): number {
    if (ends[first] - starts[first] !== 1 || !isKind(first + 1, Kind.Other) || charAt(first + 1) !== '.') return -1;
    HGVS_NAME.lastIndex = starts[first];
    const m = HGVS_NAME.exec(text);
    if (!m) return -1;
    let end = starts[first] + m[0].length;
    // "(c.35delG)": a closing parenthesis belongs to the name only if the name opened one.
    if (text[end - 1] === ')' && !m[0].includes('(')) end--;
    let last = first;
    while (last + 1 < atoms.length && ends[last] < end) last++;
    return ends[last] === end ? last : -1;
  }

  /** If atoms from `first` spell a known abbreviation ("e.g.", "b.i.d.", "Dr."), the index of its final ".", else -1. */
  function matchAbbreviation(first: number): number {
    let best = -1;
    let candidate = '';
    for (let part = 0, i = first; part < MAX_ABBREVIATION_PARTS; part++, i += 2) {
      if (!isKind(i, Kind.Word) || !isKind(i + 1, Kind.Other) || charAt(i + 1) !== '.') break;
      candidate += at(i) + '.';
      // "p.Phe508del" is not the abbreviation "p." followed by a word.
      if (!isKind(i + 2, Kind.Word) && isAbbreviation(candidate)) best = i + 1;
    }
    return best;
  }
}
