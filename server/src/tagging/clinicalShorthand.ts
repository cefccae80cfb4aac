import { findSections, sectionAt, type Section } from '../text/sections';
import { wholeWordOccurrences } from '../text/wordOccurrences';
import type { EntityPrediction } from '../types';
import { findAbbreviations } from './abbreviations';
import { CLINICAL_SHORTHAND_TSV } from './clinicalShorthandTable';
import type { PassDocument } from './passes/documentPass';

// Clinical notes write "HTN", "DM2", "ASA 81 mg" where abstracts write the names, and the model, trained on abstracts,
// misses or mislabels many of them. This pass reads the shorthand table (clinicalShorthandTable.ts) over a whole
// document: a short form the model left untagged becomes an entity with the label its sense implies; one the model
// tagged keeps the model's label when a sense has it (the model's context decides between senses: "MS" tagged DRUG
// is morphine sulfate); every such entity gets its `expansion` for the hover. Short forms the document defines itself
// ("mitral stenosis (MS)") are the abbreviation pass's; section headings ("PE:") and parts of hyphenated words
// ("HIV-positive") are no mentions.

/** What a sense is chosen by when the model did not tag the span (see the table's header). */
export type ShorthandCue = 'dose' | 'cardiac' | 'air';

export interface ShorthandSense {
  short: string;
  expansion: string;
  /** The entity label this sense implies, or undefined when it names no entity ("RA" = room air). */
  label: string | undefined;
  cue?: ShorthandCue;
}

const CUES = new Set<string>(['dose', 'cardiac', 'air']);
const LABELS = new Set(['DISEASE', 'DRUG', '-']);

/** Short form as written (and its lower-case form for `anycase` rows) -> its senses in table order. */
export function parseShorthandTable(tsv: string, source = 'clinicalShorthandTable.ts'): Map<string, ShorthandSense[]> {
  const table = new Map<string, ShorthandSense[]>();
  tsv.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const fail = (what: string): never => {
      throw new Error(`${source}:${i + 1}: ${what}`);
    };
    const [short, expansion, label, tags = '', ...rest] = line.split('\t');
    if (!short || !expansion || !label || rest.length > 0) fail('expected short form, expansion, label and optional tags, tab-separated');
    if (!LABELS.has(label)) fail(`unknown label "${label}" (DISEASE, DRUG or -)`);
    const words = tags.split(' ').filter(Boolean);
    const cue = words.find((w) => CUES.has(w)) as ShorthandCue | undefined;
    for (const w of words) if (w !== 'anycase' && !CUES.has(w)) fail(`unknown tag "${w}"`);
    const sense: ShorthandSense = { short, expansion, label: label === '-' ? undefined : label, ...(cue ? { cue } : {}) };
    const forms = words.includes('anycase') ? [short, short.toLowerCase()] : [short];
    for (const form of new Set(forms)) {
      const senses = table.get(form) ?? [];
      senses.push(sense);
      table.set(form, senses);
    }
  });
  // Plurals of the DISEASE senses ("CVAs", "MIs"), unless the table has the form itself. Only with a lower-case "s":
  // in capitals the plural is often an English word ("DOES" of DOE, "PES", "MIS").
  for (const [form, senses] of [...table]) {
    const diseases = senses.filter((x) => x.label === 'DISEASE');
    const plural = `${form}s`;
    if (diseases.length > 0 && /[\p{Lu}\p{Nd}]$/u.test(form) && !table.has(plural)) table.set(plural, diseases);
  }
  return table;
}

export const CLINICAL_SHORTHAND: ReadonlyMap<string, readonly ShorthandSense[]> = parseShorthandTable(CLINICAL_SHORTHAND_TSV);

/** Fixed confidences of what the table decides (no CRF probability exists for it): one sense, a cue, a default. */
const CONFIDENCE = { only: 0.9, cue: 0.8, default: 0.6 };

function confidenceOf(sense: ShorthandSense, senses: readonly ShorthandSense[]): number {
  return senses.length === 1 ? CONFIDENCE.only : sense.cue ? CONFIDENCE.cue : CONFIDENCE.default;
}

/** A dose, route or frequency right after a short form: "MS 4 mg IV", "NPH 10 units", "MS IV", "NS bolus". */
const DOSE_AFTER =
  /[ \t]*(?:\d+(?:[.,]\d+)?[ \t]*(?:mg|mcg|µg|g|gm|units?|u|ml|cc|l|meq|%|tabs?|puffs?)\b|(?:insulin|bolus|drip|gtt|po|iv|ivp|im|sc|sq|sl|pr|prn|daily|bid|tid|qid|qhs|q\d+h)\b)/iy;
const CARDIAC = /\b(?:valves?|valvular|mitral|aortic|tricuspid|pulmonic|murmurs?|echo\w*|TTE|TEE|LVEF|ejection fraction|stenosis|regurgitation|cardiac|heart|angina|chest pain|troponin)\b/i;
const CUE_WINDOW = 300;
const ON_AIR = /(?:\bon|%)[ \t]*$/i;
const MEDICATION_SECTIONS = new Set(['medications', 'discharge_medications']);
const PARENTHESISED = /\(\s*([^()\s]{1,12}?)\s*\)/g;
/** "MS. Jones", "MR. Smith" in upper-case notes are titles, not short forms. */
const TITLE_AFTER = /^\.[ \t]+\p{Lu}/u;
const TITLES = new Set(['MS', 'MR', 'DR']);

/** The document's entities with its clinical shorthand labelled and expanded (entities sorted by start). */
export function applyShorthand(
  document: PassDocument,
  entities: readonly EntityPrediction[],
  table: ReadonlyMap<string, readonly ShorthandSense[]> = CLINICAL_SHORTHAND,
): EntityPrediction[] {
  const { text } = document;
  const occurrences = wholeWordOccurrences(text, table.keys());
  if (occurrences.length === 0) return [...entities];
  // Short forms the document defines, as the abbreviation pass finds them; only those found here and written in
  // parentheses somewhere are looked for.
  const found = new Set(occurrences.map((o) => o.key));
  const candidates = new Set<string>();
  for (const m of text.matchAll(PARENTHESISED)) if (found.has(m[1])) candidates.add(m[1]);
  const defined = candidates.size > 0 ? findAbbreviations(text, entities, candidates) : new Map();
  const sections: readonly Section[] = document.sections ?? findSections(text);
  const sentences = document.sentences;
  const replaced = new Map<EntityPrediction, EntityPrediction | undefined>();
  const added: EntityPrediction[] = [];
  let first = 0; // entities[first] is the first entity that does not end before the occurrence
  let s = 0; // sentences[s] is the first sentence that does not end before the occurrence
  for (const { start, end, key } of occurrences) {
    while (first < entities.length && entities[first].end <= start) first++;
    while (s < sentences.length && sentences[s].end <= start) s++;
    if (defined.has(key)) continue;
    // Part of a hyphenated word ("HIV-positive", "non-MI", "beta-AR"): the model's span stands.
    if (text[start - 1] === '-' || text[end] === '-') continue;
    const section = sectionAt(sections, start);
    if (section && start < section.headingEnd) continue;
    if (TITLES.has(key) && TITLE_AFTER.test(text.slice(end, end + 4))) continue;
    const senses = table.get(key)!;
    const holds = (cue: ShorthandCue): boolean => {
      switch (cue) {
        case 'dose':
          DOSE_AFTER.lastIndex = end;
          return DOSE_AFTER.test(text) || MEDICATION_SECTIONS.has(section?.name ?? '');
        case 'cardiac': {
          // The sentence around the short form, at most CUE_WINDOW characters either side.
          const inSentence = sentences[s] && sentences[s].start <= start;
          const from = Math.max(start - CUE_WINDOW, inSentence ? sentences[s].start : 0);
          const to = Math.min(end + CUE_WINDOW, inSentence ? sentences[s].end : text.length);
          return CARDIAC.test(text.slice(from, start)) || CARDIAC.test(text.slice(end, to));
        }
        case 'air':
          return ON_AIR.test(text.slice(Math.max(0, start - 12), start));
      }
    };
    /** The first sense whose cue holds, else the first sense without a cue. */
    const choose = (among: readonly ShorthandSense[]) => among.find((x) => x.cue && holds(x.cue)) ?? among.find((x) => !x.cue);

    let k = first;
    while (k < entities.length && entities[k].start < end) k++;
    if (k === first) {
      const sense = choose(senses);
      if (sense?.label === undefined) continue;
      const confidence = confidenceOf(sense, senses);
      added.push({ start, end, text: text.slice(start, end), label: sense.label, confidence, expansion: sense.expansion });
      continue;
    }
    const own = k === first + 1 && entities[first].start === start && entities[first].end === end ? entities[first] : undefined;
    if (!own) continue; // part of a longer mention: the model's span stands
    const withLabel = senses.filter((x) => x.label === own.label);
    if (withLabel.length > 0) {
      replaced.set(own, { ...own, expansion: (choose(withLabel) ?? withLabel[0]).expansion });
    } else if (LABELS.has(own.label)) {
      // The model's label fits no sense ("RA" tagged DRUG in "95% on RA"): the table's choice stands. A label the
      // table does not know (another model's GENE) is left alone.
      const sense = choose(senses);
      if (!sense) continue;
      replaced.set(own, sense.label === undefined ? undefined : { ...own, label: sense.label, confidence: confidenceOf(sense, senses), runnerUp: undefined, expansion: sense.expansion });
    }
  }
  if (replaced.size === 0 && added.length === 0) return [...entities];
  const kept = entities.flatMap((e) => (replaced.has(e) ? (replaced.get(e) ? [replaced.get(e)!] : []) : [e]));
  return [...kept, ...added].sort((a, b) => a.start - b.start || b.end - a.end);
}
