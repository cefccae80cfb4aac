// Why does no DISEASE entity overlap an annotated NegEx dev condition? The error analysis behind the figures of
// scripts/measure-negex-conditions.ts: every missed condition is put in the first group that explains it, checked
// mechanically in this order:
//   segmentation  the condition runs over a sentence boundary of the segmenter, or lies in a known section heading
//   label         an entity of another label (DRUG) overlaps it ("label (case)" when read as in the case group
//                 below it is a DISEASE)
//   boundary      a DISEASE entity touches it (within one character) without overlapping
//   shorthand     one of its words is written as an abbreviation (all capitals in the condition column, which keeps
//                 the note's own case) and the clinical shorthand table has no such form ("in table" when it has)
//   case          the sentence tagged again with the condition as the note wrote it (the condition column's case;
//                 the annotators wrote it in capitals into the sentence) or wholly lower-cased gives it a DISEASE
//                 entity
//   rest          the model misses it in any case: "rest: normal finding" when its words state normal anatomy or
//                 function ("LEFT VENTRICULAR SIZE IS NORMAL", "ALERT"); "rest: description" when it is a clause or
//                 a phrase of 5 words or more ("AORTIC VALVE IS THICKENED", radiology findings), which BC5CDR's
//                 DISEASE guideline does not tag as a whole (a disease name inside it would do); else listed
//                 (--rest) to be judged by hand: a finding the guideline does not tag ("TOBACCO", "OBESE"), or a
//                 disease or symptom name truly missed ("RALES", "PERICARDIAL EFFUSION")
// Usage: npx tsx scripts/negex-miss-causes.ts [--model DIR] [--data DATA_DIR] [--cli dist/cli.js] [--rest] [--group NAME]
import { readFileSync } from 'node:fs';
import { parseNegexTsv } from '../server/src/formats/negexTsv';
import { CLINICAL_SHORTHAND } from '../server/src/tagging/clinicalShorthand';
import { segment } from '../server/src/tagging/segmenter';
import { findSections, knownSectionName } from '../server/src/text/sections';
import { asWritten, conditionColumn, mostlyUpper, negexRunOptions, tagDocuments, type TaggedEntity } from './negexRun';

const options = negexRunOptions(process.argv.slice(2));
const { file, model, cli, option } = options;
const content = readFileSync(file, 'utf8');
const rows = parseNegexTsv(content, file);
const conditions = conditionColumn(content);

type Variant = 'asis' | 'written' | 'lower';
function variantText(text: string, span: { start: number; end: number }, condition: string, variant: Variant): string {
  return variant === 'lower' ? text.toLowerCase() : variant === 'written' ? asWritten(text, span, condition) : text;
}

const variants: Variant[] = ['asis', 'written', 'lower'];
const entities = tagDocuments(
  options,
  rows.flatMap((r) => variants.map((v) => ({ id: `${r.id}:${v}`, text: variantText(r.text, r.entity, conditions.get(r.id) ?? '', v) }))),
);

// A statement of normal anatomy or function (or of the patient's normal state): no disease for BC5CDR's guideline.
// Words of the annotations' own phrasing, to count them; the rest is judged by hand.
const NORMAL_FINDING =
  /\b(normal|normally|intact|clear|supple|soft|nontender|nondistended|alert|awake|oriented|stable|afebrile|pleasant|cooperative|equal|reactive|regular rate|patent|pink|moist|warm|good|well|comfortabl[ey]|present|normocephalic|atraumatic|unremarkable|anicteric|nonfocal|preserved|logical)\b/i;
const overlaps = (e: TaggedEntity, s: { start: number; end: number }) => e.start < s.end && s.start < e.end;
const groups = new Map<string, Array<{ row: (typeof rows)[number]; note: string }>>();
let missed = 0;
let missedUpper = 0;
for (const row of rows) {
  const span = row.entity;
  const found = (v: Variant) => (entities.get(`${row.id}:${v}`) ?? []).filter((e) => overlaps(e, span));
  if (found('asis').some((e) => e.label === 'DISEASE')) continue;
  missed++;
  if (mostlyUpper(row.text)) missedUpper++;
  const condition = conditions.get(row.id) ?? '';
  const sentences = segment(row.text, 'clinical-note');
  const inOne = sentences.some((s) => s.start <= span.start && span.end <= s.end);
  const inHeading = findSections(row.text).some((h) => knownSectionName(h.title) !== undefined && h.start <= span.start && span.start < h.headingEnd);
  const touching = (entities.get(`${row.id}:asis`) ?? []).some((e) => e.label === 'DISEASE' && e.end >= span.start - 1 && e.start <= span.end + 1);
  // A word the note writes in capitals among lower-case ones (in the condition, or a one-word condition in a
  // sentence with lower-case words), in a condition of at most 3 words, of at most 6 letters.
  const outside = row.text.slice(0, span.start) + ' ' + row.text.slice(span.end);
  const conditionWords = condition.split(/[\s/,]+/).filter(Boolean);
  const amongLowerCase = /\p{Ll}/u.test(condition) || (conditionWords.length === 1 && /\p{L}\p{Ll}{2,}/u.test(outside));
  const abbreviations =
    conditionWords.length <= 3 && amongLowerCase ? conditionWords.filter((w) => /^[A-Z][A-Z0-9]{1,5}s?$/.test(w)) : [];
  let group: string;
  let note = '';
  if (!inOne || inHeading) {
    group = 'segmentation';
    note = inHeading ? 'in a heading' : 'over a sentence boundary';
  } else if (found('asis').length > 0) {
    const caseFixes = found('written').some((e) => e.label === 'DISEASE') || found('lower').some((e) => e.label === 'DISEASE');
    group = caseFixes ? 'label (case)' : 'label';
    note = found('asis').map((e) => e.label).join(',');
  } else if (touching) group = 'boundary';
  else if (abbreviations.length > 0) {
    const known = abbreviations.filter((a) => CLINICAL_SHORTHAND.has(a) || CLINICAL_SHORTHAND.has(a.replace(/s$/, '')));
    group = known.length > 0 ? 'shorthand in table' : 'shorthand not in table';
    note = abbreviations.join(',');
  } else if (found('written').some((e) => e.label === 'DISEASE') || found('lower').some((e) => e.label === 'DISEASE')) {
    group = 'case';
    note = ['written', 'lower'].filter((v) => found(v as Variant).some((e) => e.label === 'DISEASE')).join('+');
  } else if (NORMAL_FINDING.test(condition)) group = 'rest: normal finding';
  else group = conditionWords.length >= 5 || /\b(is|are|was|were|found|seen)\b/i.test(condition) ? 'rest: description' : 'rest';
  const list = groups.get(group) ?? [];
  list.push({ row, note });
  groups.set(group, list);
}

console.log(`${file}: ${rows.length} conditions, ${missed} not overlapped by a DISEASE entity (${missedUpper} in mostly upper-case sentences); ${cli} with model ${model}`);
for (const [name, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`${name.padEnd(24)}${String(list.length).padStart(5)}  (mostly upper case: ${list.filter((m) => mostlyUpper(m.row.text)).length})`);
}
const show = option('--group') ?? (process.argv.includes('--rest') ? 'rest' : undefined);
for (const m of groups.get(show ?? '') ?? []) {
  console.log(`${show}\t${m.row.id}\t${m.note}\t${m.row.text.slice(m.row.entity.start, m.row.entity.end)}\t${m.row.text.replace(/\s+/g, ' ')}`);
}
