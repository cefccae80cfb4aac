// What the model reads of upper-case text. The language model was pre-trained on mixed-case PubMed text and is
// frozen, so ALL CAPS text (radiology reports, headings, EHR exports) looks like nothing it knows, while lower-case
// text is close to what it has seen (and the tagger was trained with lower-cased copies). So a sentence whose cased
// letters are mostly capitals is read in lower case.
// Inside a mixed-case sentence, a run of capitals may be an acronym or emphasis: notes write findings and whole
// phrases in capitals ("complaining of SHORTNESS OF BREATH", "no effusion or PNEUMOTHORAX") or paste an upper-case
// template line into prose. The model, seeing capitals mid-sentence, reads them as short forms (PNEUMOTHORAX as a
// chemical), yet read in lower case it loses some it tagged in capitals (RHONCHI, MURMURS). So such a sentence is
// read twice, as written and with those runs in lower case, and each span keeps the more confident reading
// (mergeReadings). Only the words the model reads change: entity offsets still index the original text, and the
// entity text is the original's.

/** A sentence with at least this share of upper-case letters among its cased letters is read in lower case. */
export const SHOUTED_SHARE = 0.8;
/** ... and at least this many cased letters (so "CT" or "HIV" alone is left as it is). */
export const SHOUTED_MIN_LETTERS = 8;
/**
 * In a mixed-case sentence, one upper-case word is read in lower case from this many letters on: acronyms and
 * chemical short forms are shorter (HTN, COPD, NSAID, MPTP), emphasised words mostly longer (PNEUMOTHORAX, POLYPS).
 */
export const SHOUTED_WORD_LETTERS = 6;
/** ... and a run of two or more upper-case words from this many letters in all ("SHORTNESS OF BREATH", "BK VIRUS"). */
export const SHOUTED_RUN_LETTERS = 8;

const letterCount = (word: string): number => {
  let n = 0;
  for (const c of word) if (c.toLowerCase() !== c.toUpperCase()) n++;
  return n;
};

/**
 * A word of two or more letters, all of its cased letters capitals, and no digit ("PNEUMOTHORAX", "S/P", "X-RAY"; a
 * word with a digit is a code or a short form: "DM2", "PR3-ANCA", "5-HTTLPR").
 */
const isUpperWord = (word: string): boolean => letterCount(word) >= 2 && word === word.toUpperCase() && !/\p{Nd}/u.test(word);

/**
 * The readings of a sentence's tokens the model tags: one, or two for a mixed-case sentence with runs of capitals
 * that are no acronyms (as written first, then with those runs in lower case).
 */
export function caseReadings(words: string[]): string[][] {
  const view = caseView(words);
  if (view !== words) return [view];
  const lowered = lowerShoutedRuns(words);
  return lowered === words ? [words] : [words, lowered];
}

/** The one reading of a sentence's tokens when only one is read: lower case when mostly capitals. */
export function caseView(words: string[]): string[] {
  let upper = 0;
  let cased = 0;
  for (const w of words) {
    for (const c of w) {
      const lower = c.toLowerCase();
      if (lower === c.toUpperCase()) continue;
      cased++;
      if (c !== lower) upper++;
    }
  }
  return cased >= SHOUTED_MIN_LETTERS && upper >= SHOUTED_SHARE * cased ? words.map((w) => w.toLowerCase()) : words;
}

/** An entity of one reading, over tokens first..last. */
interface Reading {
  first: number;
  last: number;
  confidence: number;
}

/**
 * The entities of several readings of one sentence (`words[r]` the words of reading r, `entities[r]` its entities) as
 * one list. A later reading speaks only of the words it reads differently from the first: its entities that cover
 * none of them are dropped. Of the rest, the most confident entity comes first, then each next one that overlaps
 * none kept. Sorted by first token.
 */
export function mergeReadings<E extends Reading>(words: readonly string[][], entities: readonly E[][]): E[] {
  if (entities.length === 1) return entities[0];
  const candidates = entities.flatMap((found, r) =>
    r === 0 ? found : found.filter((e) => words[r].slice(e.first, e.last + 1).some((w, k) => w !== words[0][e.first + k])),
  );
  const kept: E[] = [];
  for (const e of candidates.sort((a, b) => b.confidence - a.confidence)) {
    if (!kept.some((k) => k.first <= e.last && e.first <= k.last)) kept.push(e);
  }
  return kept.sort((a, b) => a.first - b.first);
}

/**
 * `words` with each run of upper-case words that is no acronym (see SHOUTED_WORD_LETTERS) and no heading in lower
 * case.
 */
function lowerShoutedRuns(words: string[]): string[] {
  let view: string[] | undefined;
  for (let start = 0; start < words.length; ) {
    if (!isUpperWord(words[start])) {
      start++;
      continue;
    }
    let end = start;
    let letters = 0;
    while (end < words.length && isUpperWord(words[end])) letters += letterCount(words[end++]);
    const runWords = end - start;
    // A run before a colon is a heading ("RESULTS:", "REVIEW OF SYSTEMS:"), no finding: one reading is enough.
    const heading = words[end] === ':';
    if (!heading && ((runWords === 1 && letters >= SHOUTED_WORD_LETTERS) || (runWords >= 2 && letters >= SHOUTED_RUN_LETTERS))) {
      view ??= [...words];
      for (let i = start; i < end; i++) view[i] = words[i].toLowerCase();
    }
    start = end;
  }
  return view ?? words;
}
