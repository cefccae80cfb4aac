// Section headings of clinical notes ("HISTORY OF PRESENT ILLNESS:", "Past medical history:", "PMH: HTN") and the
// section each offset of a note lies in. Passes use the section of a mention (a condition under FAMILY HISTORY is
// not the patient's; one under PAST MEDICAL HISTORY is historical), and the sentence splitter ends a sentence after
// a heading that stands alone on its line.
//
// A heading starts a line (after spaces) and ends with a colon. Known headings (the table below, with their usual
// abbreviations) are recognised in any case, alone on their line or followed by text. Other headings must look like
// one: UPPER CASE or Title Case; followed by text on the same line only if UPPER CASE and not a short vital sign
// ("BP: 120/80" is not a section). A known heading in UPPER CASE alone on its line needs no colon ("IMPRESSION").

/** A section of a note: its heading and the text up to the next heading. Offsets are UTF-16, end exclusive. */
export interface Section {
  /** Normalised name: `hpi`, `family_history`, `medications`, ...; unknown headings are snake-cased ("CT HEAD" -> `ct_head`). */
  readonly name: string;
  /** The heading as written, without its colon. */
  readonly title: string;
  /** Start of the heading (= start of the section). */
  readonly start: number;
  /** End of the heading, colon included. */
  readonly headingEnd: number;
  /** Start of the next heading, or the end of the text. */
  readonly end: number;
  /** Whether nothing but spaces follows the heading on its line. */
  readonly headingOnly: boolean;
}

/** Normalised section names of common headings and their abbreviations (lower case, single spaces). */
const KNOWN: ReadonlyMap<string, string> = new Map(
  Object.entries({
    chief_complaint: ['chief complaint', 'cc', 'reason for visit', 'reason for admission', 'presenting complaint'],
    hpi: ['history of present illness', 'history of the present illness', 'present illness', 'hpi', 'interval history', 'history'],
    past_medical_history: ['past medical history', 'medical history', 'past history', 'pmh', 'pmhx', 'past medical and surgical history'],
    past_surgical_history: ['past surgical history', 'surgical history', 'psh', 'pshx'],
    family_history: ['family history', 'fh', 'fhx', 'family hx'],
    social_history: ['social history', 'sh', 'shx', 'social hx'],
    medications: [
      'medications', 'medication', 'meds', 'current medications', 'home medications', 'outpatient medications',
      'medications on admission', 'admission medications', 'medications at home',
    ],
    discharge_medications: ['discharge medications', 'medications on discharge', 'discharge meds'],
    allergies: ['allergies', 'allergy', 'drug allergies', 'allergies and adverse reactions', 'adverse reactions'],
    review_of_systems: ['review of systems', 'ros'],
    physical_exam: ['physical exam', 'physical examination', 'exam', 'examination', 'pe', 'admission exam', 'discharge exam'],
    vital_signs: ['vital signs', 'vitals', 'vs'],
    labs: ['labs', 'laboratory', 'laboratory data', 'laboratory results', 'lab results', 'pertinent results', 'results'],
    imaging: ['imaging', 'radiology', 'studies'],
    procedures: ['procedures', 'procedure', 'major surgical or invasive procedure', 'operations'],
    findings: ['findings'],
    impression: ['impression'],
    assessment: ['assessment'],
    assessment_and_plan: ['assessment and plan', 'assessment/plan', 'a/p', 'a&p', 'impression and plan'],
    plan: ['plan', 'recommendations'],
    hospital_course: ['hospital course', 'brief hospital course', 'course'],
    diagnoses: [
      'diagnosis', 'diagnoses', 'discharge diagnosis', 'discharge diagnoses', 'admission diagnosis', 'final diagnosis',
      'final diagnoses', 'primary diagnosis', 'secondary diagnosis', 'problem list', 'problems', 'active problems',
    ],
    discharge_condition: ['discharge condition', 'condition at discharge', 'condition on discharge'],
    discharge_instructions: ['discharge instructions', 'instructions', 'patient instructions'],
    disposition: ['disposition', 'discharge disposition'],
    follow_up: ['follow-up', 'follow up', 'followup', 'followup instructions', 'follow-up instructions'],
    indication: ['indication', 'clinical indication', 'reason for exam', 'clinical history'],
  }).flatMap(([name, headings]) => headings.map((heading): [string, string] => [heading, name])),
);

/** A line start, spaces, then the heading candidate (letters first; no colon, period or digit-only words) and a colon. */
const HEADING = /^[ \t]*(\p{L}[\p{L}\p{Nd}\p{M} '’&/(),-]{0,59}?)[ \t]*:(?!\/\/)/u;
/** A known heading alone on its line without a colon ("IMPRESSION", "FINDINGS"). */
const BARE_LINE = /^[ \t]*(\p{Lu}[\p{Lu} &/-]{2,59}?)[ \t]*$/u;
/** Lower-case words that Title Case leaves small ("History of Present Illness"). */
const SMALL_WORDS = new Set(['of', 'and', 'or', 'the', 'to', 'on', 'for', 'in', 'at', 'with', 'a', 'an', 'by']);

/** The normalised section name of a heading's words, or undefined if it is not a known heading. */
export function knownSectionName(title: string): string | undefined {
  return KNOWN.get(title.toLowerCase().replace(/\s+/g, ' ').trim());
}

function snakeCase(title: string): string {
  return title.toLowerCase().replace(/[^\p{L}\p{Nd}]+/gu, '_').replace(/^_+|_+$/g, '');
}

function isUpperCase(title: string): boolean {
  return /\p{Lu}/u.test(title) && !/\p{Ll}/u.test(title);
}

function isTitleCase(title: string): boolean {
  const words = title.split(/[\s/-]+/).filter((w) => /\p{L}/u.test(w));
  return words.length > 0 && words.every((w, i) => /^\P{L}*\p{Lu}/u.test(w) || (i > 0 && SMALL_WORDS.has(w)));
}

/** The heading starting the line `line`, or undefined. `lineStart` is its offset in the text. */
function headingOf(line: string, lineStart: number): Omit<Section, 'end'> | undefined {
  // Most lines of a note are prose: no colon near their start, and too long for a bare heading.
  const colon = line.indexOf(':');
  const match = colon > 0 && colon <= 72 ? HEADING.exec(line) : null;
  if (match) {
    const title = match[1].trim();
    const headingOnly = line.slice(match[0].length).trim() === '';
    const known = knownSectionName(title);
    const words = title.split(/\s+/).length;
    const letters = title.replace(/[^\p{L}]/gu, '').length;
    const looksLikeHeading = known !== undefined
      || (headingOnly ? words <= 8 && (isUpperCase(title) || isTitleCase(title))
        : isUpperCase(title) && words <= 6 && (words >= 2 || letters >= 5));
    if (!looksLikeHeading) return undefined;
    const start = lineStart + match.index + match[0].length - match[0].trimStart().length;
    return { name: known ?? snakeCase(title), title, start, headingEnd: lineStart + match[0].length, headingOnly };
  }
  const bare = line.length <= 72 ? BARE_LINE.exec(line) : null;
  const known = bare ? knownSectionName(bare[1]) : undefined;
  if (!bare || !known) return undefined;
  const start = lineStart + line.length - line.trimStart().length;
  return { name: known, title: bare[1], start, headingEnd: start + bare[1].length, headingOnly: true };
}

/** The sections of a note in text order. Text before the first heading belongs to no section. */
export function findSections(text: string): Section[] {
  const headings: Array<Omit<Section, 'end'>> = [];
  for (let lineStart = 0; lineStart < text.length; ) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const contentEnd = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    const heading = headingOf(text.slice(lineStart, contentEnd), lineStart);
    if (heading) headings.push(heading);
    lineStart = lineEnd + 1;
  }
  return headings.map((h, i) => ({ ...h, end: i + 1 < headings.length ? headings[i + 1].start : text.length }));
}

/** The section containing `offset` (sections sorted by start, as findSections returns them), or undefined. */
export function sectionAt(sections: readonly Section[], offset: number): Section | undefined {
  let lo = 0;
  let hi = sections.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sections[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found >= 0 && offset < sections[found].end ? sections[found] : undefined;
}

/** Words before a colon back to the previous punctuation or the start: where an inline heading may end. */
const INLINE_HEADING = /(\p{L}[\p{L}\p{M} '’&/-]{0,59}?)[ \t]*:(?!\/\/)/gu;
/** A possessive before a heading's name ("HIS SOCIAL HISTORY"), or the end of a report header's time ("3:45 PM
 * HISTORY:", "1710 HOURS CLINICAL HISTORY:"). */
const BEFORE_NAME = /^(?:his|her|their|the patient's|the patient’s|patient's|patient’s|am|pm|hours|hrs)\s+/i;

/** The capitalised words that end `run` (small words allowed between them): "and the PAST MEDICAL HISTORY" -> its last 3. */
function capitalisedTail(run: string): string {
  const words = run.split(/\s+/);
  const small = (word: string): boolean => SMALL_WORDS.has(word) || word === '&' || word === '/';
  let first = words.length;
  while (first > 0 && (/^\P{L}*\p{Lu}/u.test(words[first - 1]) || (first < words.length && small(words[first - 1])))) first--;
  while (first < words.length && small(words[first])) first++;
  return words.slice(first).join(' ');
}

/**
 * Known headings inside text.slice(start, end) wherever they stand, as in notes whose line breaks were lost ("PAST
 * MEDICAL HISTORY: PHYSICAL EXAM: In no acute distress."). A heading is the capitalised words before a colon, back to
 * the previous punctuation or lower-case word, and must be a known one (after a possessive or a time's "PM"):
 * "Menstrual History:" is not the "History:" heading. Each runs to the next one or to `end`.
 */
export function inlineHeadings(text: string, start = 0, end = text.length): Section[] {
  const found: Array<Omit<Section, 'end'>> = [];
  const slice = text.slice(start, end);
  for (const match of slice.matchAll(INLINE_HEADING)) {
    const tail = capitalisedTail(match[1].trim());
    const title = knownSectionName(tail) === undefined ? tail.replace(BEFORE_NAME, '') : tail;
    const name = title === '' ? undefined : knownSectionName(title);
    if (name === undefined) continue;
    const headingStart = start + match.index + match[0].lastIndexOf(title);
    found.push({ name, title, start: headingStart, headingEnd: start + match.index + match[0].length, headingOnly: false });
  }
  return found.map((h, i) => ({ ...h, end: i + 1 < found.length ? found[i + 1].start : end }));
}
