// ConText (Harkema et al. 2009, "ConText: an algorithm for determining negation, experiencer, and temporal status
// from clinical reports"), over a document's entities. For each entity and each property (negation, temporality,
// experiencer), the nearest trigger of its sentence whose scope covers it decides: a forward trigger ("denies",
// "history of") covers the words after it, a backward one ("was ruled out") the words before it, in both cases up to a
// terminator of that property ("but", "however") or the sentence's edge; scope never leaves the sentence.
// Pseudo-triggers ("no increase") only hide the triggers inside them. With no trigger, the note section the entity
// is in decides (text/sections.ts: family history, past history, allergies, plan; a known heading earlier in the
// entity's sentence is nearer, for notes whose line breaks were lost); then a term inside the entity itself (a
// social-history habit: "alcohol", "smoking"); else the default: affirmed, recent, patient.
import { LRUCache } from 'lru-cache';
import { findSections, inlineHeadings, type Section } from '../../text/sections';
import type { Assertion, AssertionCue, Experiencer, Span, Temporality } from '../../types';
import { shippedTriggers, wordsOf, type Property, type TriggerMatch, type TriggerMatcher, type Word } from './triggers';

/** A sentence's words, the triggers found in them and its inline headings (offsets relative to the sentence). */
interface SentenceTriggers {
  words: Word[];
  matches: TriggerMatch[];
  headings: Section[];
}

/** A sentence of the document being judged: its triggers and where it starts. */
interface AnalysedSentence extends SentenceTriggers {
  offset: number;
}

/**
 * The shipped triggers' analysis by sentence text: the language server reruns the pass over the whole document on
 * every analysis, and most sentences are unchanged since the last one.
 */
const analyses = new LRUCache<string, SentenceTriggers>({
  max: 20_000,
  maxSize: 16_000_000,
  sizeCalculation: (value, sentence) => sentence.length + 16 * value.words.length + 1,
});

function sentenceTriggers(sentence: string, matcher: TriggerMatcher): SentenceTriggers {
  const shipped = matcher === shippedTriggers();
  const cached = shipped ? analyses.get(sentence) : undefined;
  if (cached) return cached;
  const words = wordsOf(sentence);
  const analysed = { words, matches: matcher.match(words), headings: sentence.includes(':') ? inlineHeadings(sentence) : [] };
  if (shipped) analyses.set(sentence, analysed);
  return analysed;
}

/** What a section (by its normalised name) says about the entities under it. */
const SECTION_CONTEXT: Readonly<Record<string, { temporality?: Temporality; experiencer?: Experiencer }>> = {
  family_history: { experiencer: 'other' },
  past_medical_history: { temporality: 'historical' },
  past_surgical_history: { temporality: 'historical' },
  social_history: { temporality: 'historical' },
  allergies: { temporality: 'historical' },
  plan: { temporality: 'hypothetical' },
  discharge_instructions: { temporality: 'hypothetical' },
  follow_up: { temporality: 'hypothetical' },
};

/** The context of a section name; "his_social_history", "patient_s_family_history" are their sections'. */
function sectionContext(name: string): (typeof SECTION_CONTEXT)[string] | undefined {
  return SECTION_CONTEXT[name] ?? SECTION_CONTEXT[name.replace(/^(?:his|her|their|the_patient_s|patient_s)_/, '')];
}

const DEFAULTS = { negation: 'affirmed', temporality: 'recent', experiencer: 'patient' } as const;
const PROPERTIES: readonly Property[] = ['negation', 'temporality', 'experiencer'];

/**
 * The assertion of each entity (in the order given). `sentences` are sorted document ranges; an entity outside every
 * sentence is judged by its section only. Entities must be sorted by start; `sections` as findSections gives them.
 */
export function assertEntities(
  text: string,
  sentences: ReadonlyArray<{ start: number; end: number }>,
  entities: readonly Span[],
  sections: readonly Section[] = entities.length > 0 ? findSections(text) : [],
  matcher: TriggerMatcher = shippedTriggers(),
): Assertion[] {
  let s = 0;
  let section = 0;
  let analysed: { index: number; sentence: AnalysedSentence } | undefined;
  return entities.map((entity) => {
    while (s < sentences.length && sentences[s].end <= entity.start) s++;
    while (section < sections.length && sections[section].end <= entity.start) section++;
    let inSection = sections[section] && sections[section].start <= entity.start ? sections[section] : undefined;
    const sentence = sentences[s];
    let found: AnalysedSentence | undefined;
    if (sentence && sentence.start <= entity.start && entity.end <= sentence.end) {
      if (analysed?.index !== s) {
        const offset = sentence.start;
        const triggers = sentenceTriggers(text.slice(sentence.start, sentence.end), matcher);
        const inline =
          triggers.headings.length === 0
            ? triggers.headings
            : triggers.headings.map((h) => ({ ...h, start: offset + h.start, headingEnd: offset + h.headingEnd, end: offset + h.end }));
        // A heading's words are the section's business ("Past medical history:"), not triggers of the sentence; a term
        // is the entity's own word, heading or not ("ALCOHOL: two glasses a day").
        const ofNote = headingsIn(sections, section, sentence);
        const headings = inline.length === 0 ? ofNote : [...ofNote, ...inline];
        const { words, matches } = triggers;
        const inHeading = (m: TriggerMatch): boolean =>
          m.rule.role !== 'term' && headings.some((h) => h.start <= offset + words[m.first].start && offset + words[m.last].end <= h.headingEnd);
        const outsideHeadings = headings.length === 0 ? matches : matches.filter((m) => !inHeading(m));
        analysed = { index: s, sentence: { words, matches: outsideHeadings, headings: inline, offset } };
      }
      found = analysed.sentence;
      // A heading inside the sentence, before the entity, is nearer than the note's section.
      let inline: Section | undefined;
      for (const h of found.headings) if (h.headingEnd <= entity.start) inline = h;
      if (inline && (!inSection || inline.start >= inSection.start)) inSection = inline;
    }
    return assertOne(text, entity, found, inSection);
  });
}

/** The sections whose heading overlaps `range`; `near` is the index of the section at or after its entity. */
function headingsIn(sections: readonly Section[], near: number, range: { start: number; end: number }): Section[] {
  let first = Math.min(near, sections.length);
  while (first > 0 && sections[first - 1].headingEnd > range.start) first--;
  let end = first;
  while (end < sections.length && sections[end].start < range.end) end++;
  return sections.slice(first, end).filter((h) => h.headingEnd > range.start);
}

function assertOne(text: string, entity: Span, sentence: AnalysedSentence | undefined, section: Section | undefined): Assertion {
  const assertion: Assertion = { ...DEFAULTS, triggers: {} };
  const { byTrigger, byTerm } = sentence ? decideAll(text, entity, sentence) : { byTrigger: {}, byTerm: {} };
  const bySection = section ? sectionContext(section.name) : undefined;
  for (const property of PROPERTIES) {
    const value = bySection?.[property as 'temporality' | 'experiencer'];
    const decision: Decision | undefined =
      byTrigger[property] ??
      (value && section
        ? { value, cue: { text: section.title, start: section.start, end: section.start + section.title.length, source: 'section' } }
        : byTerm[property]);
    if (decision) {
      (assertion as unknown as Record<string, string>)[property] = decision.value;
      assertion.triggers[property] = decision.cue;
    }
  }
  return assertion;
}

/** Among triggers of one property, a higher rank wins whatever the distance: "return if she experiences pain". */
const RANK: Readonly<Record<string, number>> = { hypothetical: 1 };
const WORD_CHAR = /^[\p{L}\p{N}]/u;

type Decision = { value: string; cue: AssertionCue };

type Decisions = Partial<Record<Property, Decision>>;

/**
 * For each property, the value of the nearest trigger whose scope covers the entity (`byTrigger`), and that of a term
 * inside the entity (`byTerm`, which yields to a section).
 */
function decideAll(text: string, entity: Span, { words, matches, offset }: AnalysedSentence): { byTrigger: Decisions; byTerm: Decisions } {
  // The entity's words [first, last].
  const entityStart = entity.start - offset;
  const entityEnd = entity.end - offset;
  let first = 0;
  while (first < words.length - 1 && words[first].end <= entityStart) first++;
  let last = first;
  while (last + 1 < words.length && words[last + 1].start < entityEnd) last++;

  const best: Partial<Record<Property, { match: TriggerMatch; distance: number }>> = {};
  let terms: Partial<Record<Property, TriggerMatch>> | undefined;
  for (const match of matches) {
    const { rule } = match;
    let distance: number;
    if (rule.role === 'term') {
      if (match.first >= first && match.last <= last) (terms ??= {})[rule.property] ??= match;
      continue;
    } else if (rule.role === 'forward' && (match.last < first || (match.first === first && match.last < last))) {
      distance = Math.max(0, first - match.last - 1);
      if (distance > rule.maxWords || terminated(matches, match, match.last, first)) continue;
      // A short scope ("status post CABG") is a phrase: punctuation ends it ("s/p biopsy 2) hiatal hernia").
      if (rule.maxWords !== Infinity && words.slice(match.last + 1, first).some((w) => !WORD_CHAR.test(w.text))) continue;
    } else if (rule.role === 'backward' && match.first > last) {
      distance = match.first - last - 1;
      if (terminated(matches, match, last, match.first)) continue;
    } else {
      continue;
    }
    const current = best[rule.property];
    const rank = RANK[rule.value] ?? 0;
    const currentRank = current ? (RANK[current.match.rule.value] ?? 0) : 0;
    if (!current || rank > currentRank || (rank === currentRank && distance < current.distance)) best[rule.property] = { match, distance };
  }
  const decision = (match: TriggerMatch): Decision => {
    const start = offset + words[match.first].start;
    const end = offset + words[match.last].end;
    return { value: match.rule.value, cue: { text: text.slice(start, end), start, end, source: 'trigger' } };
  };
  const byTrigger: Decisions = {};
  const byTerm: Decisions = {};
  for (const property of PROPERTIES) {
    const match = best[property]?.match;
    if (match) byTrigger[property] = decision(match);
    const term = terms?.[property];
    if (term) byTerm[property] = decision(term);
  }
  return { byTrigger, byTerm };
}

/** Whether a terminator of the trigger's property (and value) lies strictly between words `from` and `to`. */
function terminated(matches: readonly TriggerMatch[], trigger: TriggerMatch, from: number, to: number): boolean {
  return matches.some(
    (m) =>
      m.rule.role === 'terminator' &&
      m.rule.property === trigger.rule.property &&
      (m.rule.value === '*' || m.rule.value === trigger.rule.value) &&
      m.first > from &&
      m.last < to,
  );
}
