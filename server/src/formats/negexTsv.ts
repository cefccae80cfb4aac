// The NegEx evaluation format (chapmanbe/negex's rsAnnotations): tab-separated rows `id, condition, sentence,
// negation, temporality, experiencer` after a header line. The condition is a phrase of the sentence (case and runs
// of spaces may differ); each row becomes a one-entity document with the gold assertion.
import { inputError } from '../errors';
import type { Experiencer, Negation, Span, Temporality } from '../types';

export interface NegexRow {
  id: string;
  /** 1-based line in the file. */
  line: number;
  text: string;
  /** Where the condition is in the text. */
  entity: Span;
  gold: { negation: Negation; temporality: Temporality; experiencer: Experiencer };
}

const NEGATION: Record<string, Negation> = { affirmed: 'affirmed', negated: 'negated', possible: 'possible' };
const TEMPORALITY: Record<string, Temporality> = {
  recent: 'recent',
  historical: 'historical',
  hypothetical: 'hypothetical',
  'not particular': 'hypothetical',
};
const EXPERIENCER: Record<string, Experiencer> = { patient: 'patient', other: 'other', 'family member': 'other' };

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where `condition` occurs in `text`, ignoring case and the amount of whitespace; the annotators wrote the
 * condition in capitals in the sentence, so an occurrence in capitals is preferred over another one.
 */
export function findCondition(text: string, condition: string): { start: number; end: number } | undefined {
  const words = condition.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return undefined;
  const pattern = new RegExp(words.map(escape).join('\\s+'), 'gi');
  let first: { start: number; end: number } | undefined;
  for (const m of text.matchAll(pattern)) {
    const found = { start: m.index!, end: m.index! + m[0].length };
    if (m[0] === m[0].toUpperCase()) return found;
    first ??= found;
  }
  return first;
}

function value<T>(table: Record<string, T>, raw: string, file: string, line: number, column: string): T {
  const v = table[raw.trim().toLowerCase()];
  if (v === undefined) throw inputError(file, line, `unknown ${column} "${raw}" (expected ${Object.keys(table).join(', ')})`);
  return v;
}

/** Parses the TSV (first line: the header). A condition not found in its sentence is an error naming the line. */
export function parseNegexTsv(content: string, file: string): NegexRow[] {
  const rows: NegexRow[] = [];
  content.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (index === 0 || raw.trim() === '') return;
    const cells = raw.split('\t');
    if (cells.length < 6) throw inputError(file, line, `expected 6 tab-separated columns (id, condition, sentence, negation, temporality, experiencer), found ${cells.length}`);
    const [id, condition, text, negation, temporality, experiencer] = cells;
    // A few conditions run past their sentence ("Neck:  Supple.  No lymphadenopathy" of "Neck:  Supple."): the
    // longest run of the condition's words that the sentence has stands for it.
    const words = condition.trim().split(/\s+/);
    let found: { start: number; end: number } | undefined;
    for (let n = words.length; n > 0 && !found; n--) {
      for (let from = 0; from + n <= words.length && !found; from++) found = findCondition(text, words.slice(from, from + n).join(' '));
    }
    if (!found) throw inputError(file, line, `the condition "${condition.trim()}" does not occur in the sentence`);
    rows.push({
      id: id.trim(),
      line,
      text,
      entity: { ...found, label: 'CONDITION' },
      gold: {
        negation: value(NEGATION, negation, file, line, 'negation status'),
        temporality: value(TEMPORALITY, temporality, file, line, 'temporality'),
        experiencer: value(EXPERIENCER, experiencer, file, line, 'experiencer'),
      },
    });
  });
  return rows;
}
