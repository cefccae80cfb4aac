import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSections, inlineHeadings, knownSectionName, sectionAt } from '../../server/src/text/sections';

const NOTE = [
  'Name: **NAME[ZZZ]   Unit No: [**Numeric Identifier 1234**]',
  'HISTORY OF PRESENT ILLNESS:',
  'Mr. **NAME[ZZZ] is a man **AGE[in 70s] with HTN and DM2 who presents with SOB.',
  'Past medical history: CAD s/p MI, CHF.',
  'FAMILY HISTORY:   ',
  'Mother with breast cancer.',
  'PMH: COPD',
  'Meds:',
  '1. ASA 81 mg PO daily',
  'Allergies: NKDA',
  'Vital Signs:',
  'BP: 120/80, HR: 72',
  'IMPRESSION',
  'No acute process.',
  'Plan: continue lasix 40 IV. Follow up at 10:30 with Dr. Smith.',
].join('\n');

const at = (text: string, fragment: string) => {
  const i = text.indexOf(fragment);
  assert.ok(i >= 0, fragment);
  return i;
};

test('headings of a note: upper case, sentence case and abbreviations, alone on their line or followed by text', () => {
  const sections = findSections(NOTE);
  assert.deepEqual(
    sections.map((s) => [s.name, s.title, s.headingOnly]),
    [
      ['hpi', 'HISTORY OF PRESENT ILLNESS', true],
      ['past_medical_history', 'Past medical history', false],
      ['family_history', 'FAMILY HISTORY', true],
      ['past_medical_history', 'PMH', false],
      ['medications', 'Meds', true],
      ['allergies', 'Allergies', false],
      ['vital_signs', 'Vital Signs', true],
      ['impression', 'IMPRESSION', true],
      ['plan', 'Plan', false],
    ],
  );
  for (const s of sections) {
    assert.equal(NOTE.slice(s.start, s.start + s.title.length), s.title);
    assert.ok(s.headingEnd > s.start && s.headingEnd <= s.end);
  }
  // "Name:" (a single Title Case word followed by text) and "BP:" (a short vital sign) are not sections.
  assert.equal(sections[0].start, at(NOTE, 'HISTORY OF PRESENT ILLNESS'));
  // A section runs to the next heading.
  assert.equal(sections[2].end, at(NOTE, 'PMH:'));
  assert.equal(sections.at(-1)!.end, NOTE.length);
});

test('unknown headings need to look like one: Title Case or UPPER CASE; inline only in UPPER CASE', () => {
  const text = 'CT HEAD: no bleed.\nBrief Summary:\nHe was given the following:\nNote: see above.\nOK: fine\n';
  assert.deepEqual(findSections(text).map((s) => s.name), ['ct_head', 'brief_summary']);
  assert.equal(knownSectionName('  History of   Present Illness '), 'hpi');
  assert.equal(knownSectionName('headache'), undefined);
});

test('sectionAt finds the section of an offset; text before the first heading has none', () => {
  const sections = findSections(NOTE);
  assert.equal(sectionAt(sections, 0), undefined);
  assert.equal(sectionAt(sections, at(NOTE, 'breast cancer'))?.name, 'family_history');
  assert.equal(sectionAt(sections, at(NOTE, 'CAD'))?.name, 'past_medical_history');
  assert.equal(sectionAt(sections, at(NOTE, 'ASA 81'))?.name, 'medications');
  assert.equal(sectionAt(sections, at(NOTE, 'HTN'))?.name, 'hpi');
  assert.equal(sectionAt(sections, at(NOTE, 'lasix'))?.name, 'plan');
  assert.equal(sectionAt(sections, NOTE.length), undefined);
  assert.equal(sectionAt([], 5), undefined);
});

test('CRLF line ends and indented headings', () => {
  const text = 'ALLERGIES:\r\n  penicillin\r\n  Social History: smoker\r\n';
  const sections = findSections(text);
  assert.deepEqual(sections.map((s) => [s.name, text.slice(s.start, s.headingEnd)]), [
    ['allergies', 'ALLERGIES:'],
    ['social_history', 'Social History:'],
  ]);
  assert.equal(sections[0].end, at(text, 'Social'));
});

test('document passes see the sections of the document', async () => {
  const { runDocumentPasses } = await import('../../server/src/tagging/passes');
  const text = 'FAMILY HISTORY: Mother with asthma.';
  const seen: string[] = [];
  runDocumentPasses({ text, sentences: [{ start: 0, end: text.length }] }, [], [
    { name: 'probe', run: (document, entities) => (seen.push(sectionAt(document.sections ?? [], text.indexOf('asthma'))?.name ?? 'none'), [...entities]) },
  ]);
  assert.deepEqual(seen, ['family_history']);
});

test('inlineHeadings: known headings anywhere in a line, their capitalised words back to punctuation', () => {
  const found = (text: string): string[] => inlineHeadings(text).map((h) => `${h.name}:${text.slice(h.start, h.headingEnd)}:${text.slice(h.headingEnd, h.end).trim()}`);
  assert.deepEqual(found('PAST MEDICAL HISTORY: PHYSICAL EXAM: General Appearance: In no acute distress.'), [
    'past_medical_history:PAST MEDICAL HISTORY::',
    'physical_exam:PHYSICAL EXAM::General Appearance: In no acute distress.',
  ]);
  // After a time of day or a possessive; inside prose after its lower-case words.
  assert.deepEqual(found('CT HEAD: 3:45 PM HISTORY: Weakness.'), ['hpi:HISTORY::Weakness.']);
  assert.deepEqual(found('1710 HOURS CLINICAL HISTORY: Cough.'), ['indication:CLINICAL HISTORY::Cough.']);
  assert.deepEqual(found('HIS SOCIAL HISTORY: Denies tobacco.'), ['social_history:SOCIAL HISTORY::Denies tobacco.']);
  assert.deepEqual(found('Seen today. Plan: recheck.'), ['plan:Plan::recheck.']);
  // Not headings: a known last word of an unknown heading, lower case, a URL.
  assert.deepEqual(found('Menstrual History: post-menopausal. HOSPITAL COURSE & PLAN: home.'), []);
  assert.deepEqual(found('He was given instructions: call. See http://x.org'), []);
  assert.equal(inlineHeadings('x Plan: y', 2, 9)[0].start, 2);
});
