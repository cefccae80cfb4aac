import { wholeWordOccurrences } from '../text/wordOccurrences';
import type { EntityPrediction } from '../types';

// Abbreviations defined in a document ("Parkinson's disease (PD)") name the same thing wherever they recur, but the
// tagger sees one sentence at a time and often misses or mislabels a bare "PD" later on. This pass works on a whole
// document's entities: it finds "long form (SHORT)" definitions (Schwartz & Hearst 2003's matching rule), and makes
// every occurrence of SHORT agree with its long form. Its effect on the BC5CDR abstracts: the model card.

/** An abbreviation defined in the text. `label` is the long form's entity label, or undefined if it is no entity. */
export interface AbbreviationDefinition {
  short: string;
  long: string;
  label: string | undefined;
  confidence: number;
}

// "(SHORT)": 2-10 characters, starting with a letter or digit, holding an upper-case letter (so "(i)" and "(n)" are
// not abbreviations), only letters, digits, hyphens, apostrophes and periods inside.
const DEFINITION = /\(\s*([\p{L}\p{N}][\p{L}\p{N}'.-]{1,9})\s*\)/gu;
const HAS_UPPER = /\p{Lu}/u;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/**
 * Schwartz & Hearst's test: every letter and digit of `short` occurs in `long` in order (case-insensitively, matched
 * from the end), and the first one starts a word of `long`. Returns where in `long` the match starts, or -1.
 */
export function longFormStart(short: string, long: string): number {
  const s = short.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const l = long.toLowerCase();
  if (!s || l.length <= s.length) return -1;
  let li = l.length - 1;
  for (let si = s.length - 1; si >= 0; si--) {
    const first = si === 0;
    while (li >= 0 && (l[li] !== s[si] || (first && li > 0 && /[\p{L}\p{N}]/u.test(l[li - 1])))) li--;
    if (li < 0) return -1;
    if (!first) li--;
  }
  return li;
}

/**
 * The abbreviations `text` defines, with the label of their long form. `entities` must be sorted by start.
 * The long form is an entity ending just before the parenthesis if the short form matches it, else the words before
 * the parenthesis that it matches (at most min(|SHORT| + 5, 2 |SHORT|) words, Schwartz & Hearst's window). The label
 * comes from the entity ending just before the parenthesis, the long form's head: "levodopa-induced dyskinesias (LID)"
 * ends in the DISEASE "dyskinesias", while "glutamic acid decarboxylase (GAD)" holds a DRUG but names none (on
 * BC5CDR dev, taking the label of any entity inside the long form cost 0.7 F1). With no entity there, the
 * abbreviation names no entity, unless the document also defines it with one.
 */
export function findAbbreviations(
  text: string,
  entities: readonly EntityPrediction[],
  /** Only these short forms (all when undefined). */
  only?: ReadonlySet<string>,
): Map<string, AbbreviationDefinition> {
  const found = new Map<string, AbbreviationDefinition>();
  const endingAt = new Map<number, EntityPrediction>();
  for (const e of entities) endingAt.set(e.end, e);
  for (const m of text.matchAll(DEFINITION)) {
    const short = m[1].replace(/[.'-]+$/, '');
    if (short.length < 2 || !HAS_UPPER.test(short) || (only && !only.has(short))) continue;
    let before = m.index!;
    while (before > 0 && /\s/.test(text[before - 1])) before--;
    const entity = endingAt.get(before);
    let definition: AbbreviationDefinition;
    if (entity && longFormStart(short, entity.text) >= 0) {
      definition = { short, long: entity.text, label: entity.label, confidence: entity.confidence };
    } else {
      const window = Math.min(short.length + 5, short.length * 2);
      const words = [...text.slice(Math.max(0, before - 200), before).matchAll(WORD)].slice(-window);
      if (words.length === 0) continue;
      const from = before - Math.min(before, 200) + words[0].index!;
      const offset = longFormStart(short, text.slice(from, before));
      if (offset < 0) continue;
      const start = from + offset;
      definition = { short, long: text.slice(start, before), label: entity?.label, confidence: entity?.confidence ?? 1 };
    }
    if (definition.label !== undefined || !found.has(short)) found.set(short, definition);
  }
  return found;
}

/**
 * Makes every whole-word occurrence of a defined short form agree with its long form: an untagged occurrence becomes
 * an entity with the long form's label and confidence; an occurrence tagged on its own with another label is
 * relabelled; and when the long form is no entity, an occurrence tagged on its own is dropped. Occurrences inside a
 * longer entity are left alone. Returns the entities sorted by start; `abbreviationOf` names the long form of what
 * this pass added or changed.
 */
export function propagateAbbreviations(text: string, entities: readonly EntityPrediction[]): EntityPrediction[] {
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const definitions = findAbbreviations(text, sorted);
  if (definitions.size === 0) return sorted;
  // Each whole-word occurrence: untagged (own undefined), or tagged on its own (own = that entity). Occurrences
  // overlapping any other entity are part of a longer mention and left alone.
  const occurrences: Array<{ short: string; start: number; end: number; own?: EntityPrediction }> = [];
  let first = 0; // sorted[first] is the first entity that does not end before the occurrence
  for (const { start, end, key: short } of wholeWordOccurrences(text, definitions.keys())) {
    while (first < sorted.length && sorted[first].end <= start) first++;
    let k = first;
    while (k < sorted.length && sorted[k].start < end) k++;
    const overlapping = sorted.slice(first, k);
    if (overlapping.length === 0) occurrences.push({ short, start, end });
    else if (overlapping.length === 1 && overlapping[0].start === start && overlapping[0].end === end) {
      occurrences.push({ short, start, end, own: overlapping[0] });
    }
  }
  const replaced = new Map<EntityPrediction, EntityPrediction | undefined>();
  const added: EntityPrediction[] = [];
  for (const { short, start, end, own } of occurrences) {
    const definition = definitions.get(short)!;
    if (!own) {
      if (definition.label !== undefined) {
        added.push({ start, end, label: definition.label, text: short, confidence: definition.confidence, abbreviationOf: definition.long });
      }
    } else if (definition.label === undefined) replaced.set(own, undefined);
    else if (own.label !== definition.label) {
      replaced.set(own, { ...own, label: definition.label, confidence: definition.confidence, runnerUp: undefined, abbreviationOf: definition.long });
    }
  }
  if (replaced.size === 0 && added.length === 0) return sorted;
  const out = sorted.flatMap((e) => (replaced.has(e) ? (replaced.get(e) ? [replaced.get(e)!] : []) : [e]));
  return [...out, ...added].sort((a, b) => a.start - b.start || b.end - a.end);
}
