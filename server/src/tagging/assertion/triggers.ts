// The trigger table (triggerTable.ts) as rules, and finding them in a sentence's words. Phrases are matched word by
// word, ignoring case and the amount of whitespace between words ("ruled   out" is "ruled out"); at each word the
// longest phrase of a property wins, and matches of one property never overlap, so a pseudo-trigger ("no increase")
// hides the trigger it contains ("no"), except the backward reading of one it joins words to ("history and").
import { isWordChar } from '../../text/wordOccurrences';
import { TRIGGER_TABLE } from './triggerTable';

export type Property = 'negation' | 'temporality' | 'experiencer';

/** What a matched phrase does to its property; a `term` acts only inside the entity ("smoking" is a habit). */
export type Role = 'forward' | 'backward' | 'pseudo' | 'terminator' | 'term';

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

/** A word: lower-case text and its offsets in the text that wordsOf read. */
export interface Word {
  text: string;
  start: number;
  end: number;
}

const isSpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13) || code === 160 || (code > 127 && /\s/.test(String.fromCharCode(code)));
const isApostrophe = (code: number): boolean => code === 39 || code === 0x2019;

/**
 * The words of text.slice(start, end), with offsets into `text`: runs of letters and digits, with a possessive "'s" kept
 * on its word ("mother's"); every other non-space character is a word of its own. Lower case, "’" read as "'".
 */
export function wordsOf(text: string, start = 0, end = text.length): Word[] {
  const words: Word[] = [];
  let i = start;
  while (i < end) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
      continue;
    }
    const from = i;
    if (!isWordChar(code)) {
      i++;
    } else {
      while (i < end && isWordChar(text.charCodeAt(i))) i++;
      // "mother's" (but not "mother'sx" nor "o'clock")
      if (i + 1 < end && isApostrophe(text.charCodeAt(i)) && (text.charCodeAt(i + 1) | 32) === 115 && !(i + 2 < end && isWordChar(text.charCodeAt(i + 2)))) i += 2;
    }
    const word = text.slice(from, i).toLowerCase();
    words.push({ text: word.includes('’') ? word.replace('’', "'") : word, start: from, end: i });
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
  TERM: { role: 'term' },
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

/** Words that join a pseudo-trigger's extra words to the trigger it starts with. */
const CONJUNCTIONS: ReadonlySet<string> = new Set(['and', 'or', ',']);

/** A rule found in a sentence: words [first, last] (indices into the sentence's words). */
export interface TriggerMatch {
  rule: TriggerRule;
  first: number;
  last: number;
}

const PROPERTIES: readonly Property[] = ['negation', 'temporality', 'experiencer'];

/** A node of the phrase trie: the rules whose phrase ends here (by property; also their backward ones), and the words
 * that continue it. */
interface TrieNode {
  rules: Array<TriggerRule[] | undefined>;
  backward: Array<TriggerRule[] | undefined>;
  next: Map<string, TrieNode>;
}

/** Finds the rules of each property in a sentence's words, with one trie of all phrases. */
export class TriggerMatcher {
  private readonly root: TrieNode = { rules: [], backward: [], next: new Map() };

  constructor(rules: readonly TriggerRule[]) {
    for (const rule of rules) {
      let node = this.root;
      for (const word of rule.words) {
        const child: TrieNode = node.next.get(word) ?? { rules: [], backward: [], next: new Map() };
        node.next.set(word, child);
        node = child;
      }
      // A phrase may have several rules ("resolved" forward and backward; "who presents" ends a history scope and
      // starts its own backward one).
      (node.rules[PROPERTIES.indexOf(rule.property)] ??= []).push(rule);
      if (rule.role === 'backward') (node.backward[PROPERTIES.indexOf(rule.property)] ??= []).push(rule);
    }
  }

  /** Non-overlapping matches of each property's rules, left to right, the longest at each word. */
  match(words: readonly Word[]): TriggerMatch[] {
    const found: TriggerMatch[] = [];
    const n = PROPERTIES.length;
    const free = new Array<number>(n).fill(0); // per property: the first word not inside an earlier match
    const rulesAt = new Array<TriggerRule[] | undefined>(n); // per property: the rules of the longest phrase at word i
    const lastAt = new Array<number>(n);
    // per property: the backward rules of the longest phrase at word i that has some, and its last word
    const backwardAt = new Array<TriggerRule[] | undefined>(n);
    const backwardLastAt = new Array<number>(n);
    for (let i = 0; i < words.length; i++) {
      let node = this.root.next.get(words[i].text);
      if (!node) continue;
      rulesAt.fill(undefined);
      backwardAt.fill(undefined);
      for (let k = i; ; ) {
        for (let p = 0; p < n; p++) {
          const rules = node.rules[p];
          if (rules) {
            rulesAt[p] = rules;
            lastAt[p] = k;
            if (node.backward[p]) {
              backwardAt[p] = node.backward[p];
              backwardLastAt[p] = k;
            }
          }
        }
        if (++k >= words.length) break;
        const next = node.next.get(words[k].text);
        if (!next) break;
        node = next;
      }
      for (let p = 0; p < n; p++) {
        const rules = rulesAt[p];
        if (!rules || i < free[p]) continue;
        for (const rule of rules) found.push({ rule, first: i, last: lastAt[p] });
        // A pseudo-trigger that joins words to a backward trigger ("history and", "history, and") hides its forward
        // reading only: what follows the conjunction does not modify it, so "his CAD history and his symptoms" keeps
        // the backward "history" (while "in the past week" is a different time than "in the past").
        const backward = backwardAt[p];
        if (backward && backwardLastAt[p] < lastAt[p] && CONJUNCTIONS.has(words[backwardLastAt[p] + 1].text) && rules.every((rule) => rule.role === 'pseudo')) {
          for (const rule of backward) found.push({ rule, first: i, last: backwardLastAt[p] });
        }
        free[p] = lastAt[p] + 1;
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
