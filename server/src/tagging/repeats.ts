import type { EntityPrediction } from '../types';

// A name the tagger found confidently once in a document usually names the same thing where it recurs, but the tagger
// sees one sentence at a time and misses some repeats. This pass gives the untagged, whole-word repeats of a
// confidently tagged string that string's label. Measured on the BC5CDR abstracts (model card): +0.35 strict F1 on
// dev and +0.42 on test, on top of the abbreviation pass.

export interface RepeatOptions {
  /** Only entities at least this confident are repeated (dev: 0.8 beat 0.5 and 0.95). */
  minConfidence: number;
  /** Only strings at least this long (dev: 5 tied 3 in F1, with higher precision). */
  minLength: number;
}

export const DEFAULT_REPEATS: RepeatOptions = { minConfidence: 0.8, minLength: 5 };

const WORD = /[\p{L}\p{N}]+/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** A letter or digit (a UTF-16 code unit; ASCII without a regular expression, the rest through one). */
function isWordChar(code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return LETTER_OR_DIGIT.test(String.fromCharCode(code));
}

/**
 * Tags the untagged whole-word repeats (case-insensitive) of every entity string that is at least
 * `minConfidence` confident and `minLength` long, with that entity's label and confidence (the most confident
 * one's, if the string was tagged several times). A repeat overlapping any entity is left alone. Returns the
 * entities sorted by start; `repeatOf` marks the added ones.
 */
export function labelRepeats(text: string, entities: readonly EntityPrediction[], options: RepeatOptions = DEFAULT_REPEATS): EntityPrediction[] {
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  // Lower-case string -> its most confident entity, found through the string's first word.
  const best = new Map<string, EntityPrediction>();
  for (const e of sorted) {
    if (e.confidence < options.minConfidence || e.text.length < options.minLength) continue;
    if (!LETTER_OR_DIGIT.test(e.text[0]) || !LETTER_OR_DIGIT.test(e.text[e.text.length - 1])) continue;
    const key = e.text.toLowerCase();
    const current = best.get(key);
    if (!current || current.confidence < e.confidence) best.set(key, e);
  }
  if (best.size === 0) return sorted;
  const byFirstWord = new Map<string, string[]>();
  for (const key of best.keys()) {
    const first = key.match(WORD)![0];
    const keys = byFirstWord.get(first);
    if (keys) keys.push(key);
    else byFirstWord.set(first, [key]);
  }
  for (const keys of byFirstWord.values()) keys.sort((a, b) => b.length - a.length); // longest repeat first
  const firstChars = new Set([...byFirstWord.keys()].map((word) => word.charCodeAt(0)));
  // Words are read from a lower-cased copy, unless lower-casing changed the text's length (a few Unicode letters do):
  // offsets into the copy must be offsets into the text. The scan allocates only for words that start a key.
  const lower = text.toLowerCase();
  const source = lower.length === text.length ? lower : text;
  const matchesAt = (key: string, start: number): boolean =>
    source === lower ? lower.startsWith(key, start) : text.slice(start, start + key.length).toLowerCase() === key;
  const added: EntityPrediction[] = [];
  let next = 0; // sorted[next] is the first entity that ends after the current word's start
  for (let start = 0; start < source.length; ) {
    if (!isWordChar(source.charCodeAt(start))) {
      start++;
      continue;
    }
    let wordEnd = start + 1;
    while (wordEnd < source.length && isWordChar(source.charCodeAt(wordEnd))) wordEnd++;
    const keys = firstChars.has(source.charCodeAt(start)) ? byFirstWord.get(source.slice(start, wordEnd).toLowerCase()) : undefined;
    let resume = wordEnd;
    if (keys) {
      while (next < sorted.length && sorted[next].end <= start) next++;
      for (const key of keys) {
        const end = start + key.length;
        if (!matchesAt(key, start) || (end < text.length && isWordChar(text.charCodeAt(end)))) continue;
        if (next < sorted.length && sorted[next].start < end) break; // overlaps an entity (maybe itself)
        const origin = best.get(key)!;
        added.push({ start, end, label: origin.label, text: text.slice(start, end), confidence: origin.confidence, repeatOf: origin.start });
        resume = end;
        break;
      }
    }
    start = resume;
  }
  if (added.length === 0) return sorted;
  return [...sorted, ...added].sort((a, b) => a.start - b.start || b.end - a.end);
}
