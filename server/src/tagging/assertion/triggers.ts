// The trigger table (triggerTable.ts) as rules, and finding them in a sentence's words. Phrases are matched word by
// word, ignoring case and the amount of whitespace between words ("ruled   out" is "ruled out"); at each word the
// longest phrase of a property wins, and matches of one property never overlap, so a pseudo-trigger ("no increase")
// hides the trigger it contains ("no").
import { TRIGGER_TABLE } from './triggerTable';

export type Property = 'negation' | 'temporality' | 'experiencer';

/** What a matched phrase does to its property. */
export type Role = 'forward' | 'backward' | 'pseudo' | 'terminator';

export interface TriggerRule {
  property: Property;
  role: Role;
  /** The value a forward/backward trigger gives; for a terminator, the value whose scopes it ends. */
  value: string;
  /** Forward triggers only: how many words after the trigger its scope covers at most. */
  maxWords: number;
  /** Lower-case words of the phrase. */
  words: string[];
}

/** A word of a sentence: lower-case text and document offsets. */
export interface Word {
  text: string;
  start: number;
  end: number;
}

/** Letters and digits, with a possessive "'s" kept on its word ("mother's"); every other non-space is a word. */
const WORD = /[\p{L}\p{N}]+(?:['’]s\b)?|[^\s\p{L}\p{N}]/gu;

/** The words of text.slice(start, end), in document offsets. */
export function wordsOf(text: string, start = 0, end = text.length): Word[] {
  const words: Word[] = [];
  const slice = text.slice(start, end);
  for (const m of slice.matchAll(WORD)) {
    words.push({ text: m[0].toLowerCase().replace('’', "'"), start: start + m.index!, end: start + m.index! + m[0].length });
  }
  return words;
}

/** Scope of a one-word ("ONEW") trigger, in words: "status post right CABG". */
const ONE_WORD_SCOPE = 3;

const CATEGORY: Record<string, { role: Role; negation?: string }> = {
  PREN: { role: 'forward', negation: 'negated' },
  POST: { role: 'backward', negation: 'negated' },
  PREP: { role: 'forward', negation: 'possible' },
  POSP: { role: 'backward', negation: 'possible' },
  PSEU: { role: 'pseudo' },
  CONJ: { role: 'terminator' },
  ONEW: { role: 'forward' },
};

/** Parses the table: `property<TAB>category<TAB>phrase` lines, '#' comments. */
export function parseTriggerTable(table: string): TriggerRule[] {
  const rules: TriggerRule[] = [];
  table.split('\n').forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const [column, category, phrase] = line.split('\t');
    const kind = CATEGORY[category];
    if (!kind || !phrase || !['negation', 'historical', 'hypothetical', 'experiencer'].includes(column)) {
      throw new Error(`trigger table line ${index}: expected "property<TAB>category<TAB>phrase": "${line}"`);
    }
    const property: Property = column === 'historical' || column === 'hypothetical' ? 'temporality' : (column as Property);
    // A negation terminator ends "negated" and "possible" scopes alike.
    const value =
      property === 'negation' ? (kind.role === 'terminator' ? '*' : (kind.negation ?? 'negated')) : property === 'experiencer' ? 'other' : column;
    const maxWords = category === 'ONEW' ? ONE_WORD_SCOPE : Infinity;
    rules.push({ property, role: kind.role, value, maxWords, words: wordsOf(phrase).map((w) => w.text) });
  });
  return rules;
}

/** A rule found in a sentence: words [first, last] (indices into the sentence's words). */
export interface TriggerMatch {
  rule: TriggerRule;
  first: number;
  last: number;
}

/** Finds the rules of each property in a sentence's words. */
export class TriggerMatcher {
  /** Per property: rules by their first word, longest first. */
  private readonly byFirstWord = new Map<Property, Map<string, TriggerRule[]>>();

  constructor(rules: readonly TriggerRule[]) {
    for (const rule of rules) {
      let index = this.byFirstWord.get(rule.property);
      if (!index) this.byFirstWord.set(rule.property, (index = new Map()));
      const list = index.get(rule.words[0]);
      if (list) list.push(rule);
      else index.set(rule.words[0], [rule]);
    }
    for (const index of this.byFirstWord.values()) for (const list of index.values()) list.sort((a, b) => b.words.length - a.words.length);
  }

  /** Non-overlapping matches of each property's rules, left to right, the longest at each word. */
  match(words: readonly Word[]): TriggerMatch[] {
    const found: TriggerMatch[] = [];
    for (const index of this.byFirstWord.values()) {
      for (let i = 0; i < words.length; i++) {
        const candidates = index.get(words[i].text);
        if (!candidates) continue;
        const rule = candidates.find((r) => r.words.every((w, k) => words[i + k]?.text === w));
        if (!rule) continue;
        // A phrase may have several rules ("resolved" forward and backward; "who presents" ends a history scope
        // and starts its own backward one).
        const last = i + rule.words.length - 1;
        for (const same of candidates) if (same.words.length === rule.words.length && same.words.every((w, k) => rule.words[k] === w)) found.push({ rule: same, first: i, last });
        i = last;
      }
    }
    return found;
  }
}

let shipped: TriggerMatcher | undefined;

/** The matcher of the shipped table (built once). */
export function shippedTriggers(): TriggerMatcher {
  shipped ??= new TriggerMatcher(parseTriggerTable(TRIGGER_TABLE));
  return shipped;
}
