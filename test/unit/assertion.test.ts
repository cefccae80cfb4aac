import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEntities, assertText } from '../../server/src/tagging/assertion';
import { findSections } from '../../server/src/text/sections';
import { parseTriggerTable, TriggerMatcher, wordsOf } from '../../server/src/tagging/assertion/triggers';
import { runDocumentPasses } from '../../server/src/tagging/passes';
import type { Assertion, EntityPrediction, Span } from '../../server/src/types';

/** The entity `mention` (its `nth` occurrence) of `text`. */
function span(text: string, mention: string, nth = 0): Span {
  let start = -1;
  for (let k = 0; k <= nth; k++) start = text.indexOf(mention, start + 1);
  assert.ok(start >= 0, `"${mention}" is in the text`);
  return { start, end: start + mention.length, label: 'DISEASE' };
}

/** The assertion of one mention of a text (sentences as `bioner tag` splits them). */
function of(text: string, mention: string, nth = 0): Assertion {
  return assertText(text, [span(text, mention, nth)])[0];
}

/** "negation/temporality/experiencer" in one string, for compact expectations. */
const short = (a: Assertion): string => `${a.negation}/${a.temporality}/${a.experiencer}`;

test('negation: forward triggers ("denies", "no", "without", "negative for") negate what follows them', () => {
  for (const text of ['Denies chest pain.', 'No chest pain.', 'Presented without chest pain.', 'Negative for chest pain.', 'He has no evidence of chest pain.']) {
    assert.equal(of(text, 'chest pain').negation, 'negated', text);
  }
  const a = of('Denies chest pain.', 'chest pain');
  assert.deepEqual(a.triggers.negation, { text: 'Denies', start: 0, end: 6, source: 'trigger' });
  assert.equal(short(of('Chest pain.', 'Chest pain')), 'affirmed/recent/patient');
  assert.deepEqual(of('Chest pain.', 'Chest pain').triggers, {});
});

test('negation: backward triggers ("was ruled out", "unlikely", "resolved") negate what precedes them', () => {
  assert.equal(of('Pulmonary embolism was ruled out.', 'Pulmonary embolism').negation, 'negated');
  assert.equal(of('Pneumonia is unlikely.', 'Pneumonia').negation, 'negated');
  assert.equal(of('His nausea resolved.', 'nausea').negation, 'negated');
  assert.equal(of('His nausea resolved.', 'nausea').triggers.negation?.text, 'resolved');
  // A backward trigger does not reach forward.
  assert.equal(of('It was ruled out, then pneumonia followed.', 'pneumonia').negation, 'affirmed');
});

test('negation: "possible" triggers, forward ("rule out") and backward ("cannot be ruled out")', () => {
  assert.equal(of('Rule out pneumonia.', 'pneumonia').negation, 'possible');
  assert.equal(of('Pneumonia could be ruled out.', 'Pneumonia').negation, 'possible');
  assert.equal(of('Pneumonia could be ruled out.', 'Pneumonia').triggers.negation?.text, 'could be ruled out');
});

test('pseudo-triggers hide the trigger inside them: "no increase", "not only", "without contrast"', () => {
  assert.equal(of('There is no increase in the pleural effusion.', 'pleural effusion').negation, 'affirmed');
  assert.equal(of('Not only fever but also rash.', 'fever').negation, 'affirmed');
  assert.equal(of('CT without contrast showed a liver abscess.', 'liver abscess').negation, 'affirmed');
  // Mutation check: the same sentences with the bare trigger are negated.
  assert.equal(of('There is no pleural effusion.', 'pleural effusion').negation, 'negated');
});

test('terminators end a scope: "but", "however", "positive for"', () => {
  const text = 'Denies fever but reports cough.';
  assert.equal(of(text, 'fever').negation, 'negated');
  assert.equal(of(text, 'cough').negation, 'affirmed');
  assert.equal(of('No fever, however cough persists.', 'cough').negation, 'affirmed');
  assert.equal(of('The MRI showed no dilatation and positive for cholelithiasis.', 'cholelithiasis').negation, 'affirmed');
});

test('a trigger list reaches every item of its list in the sentence, and the nearest trigger wins', () => {
  const text = 'Extremities reveal no peripheral cyanosis or edema.';
  assert.equal(of(text, 'edema').negation, 'negated');
  const both = 'Rule out pneumonia; no effusion.';
  assert.equal(of(both, 'effusion').negation, 'negated');
  assert.equal(of(both, 'effusion').triggers.negation?.text, 'no');
});

test('scope never crosses a sentence: "Denies fever. Cough." leaves the cough affirmed', () => {
  const text = 'Denies fever. Cough is productive. Pneumonia was ruled out.';
  const entities = [span(text, 'fever'), span(text, 'Cough'), span(text, 'Pneumonia')];
  const sentences = [
    { start: 0, end: 13 },
    { start: 14, end: 34 },
    { start: 35, end: text.length },
  ];
  assert.deepEqual(assertEntities(text, sentences, entities).map((a) => a.negation), ['negated', 'affirmed', 'negated']);
  // Mutation check: as one "sentence", the trigger would reach the cough.
  assert.equal(assertEntities(text, [{ start: 0, end: text.length }], entities)[1].negation, 'negated');
});

test('temporality: "history of" and "status post" are historical; "if", "return", "as needed" hypothetical', () => {
  assert.equal(of('She has a history of atrial fibrillation.', 'atrial fibrillation').temporality, 'historical');
  assert.equal(of('He is status post CABG.', 'CABG').temporality, 'historical');
  assert.equal(of('Return if fever develops.', 'fever').temporality, 'hypothetical');
  assert.equal(of('Call the clinic should there be any bleeding.', 'bleeding').temporality, 'hypothetical');
  // Hypothetical outranks a nearer historical trigger: "if she experiences".
  assert.equal(of('Return if she experiences chest pain.', 'chest pain').temporality, 'hypothetical');
  // A one-word scope is a short phrase: punctuation ends it.
  assert.equal(of('Esophagitis s/p biopsy 2) hiatal hernia.', 'hiatal hernia').temporality, 'recent');
  // "history of present illness" is a pseudo-trigger; "who presents" ends a history's scope.
  assert.equal(of('History of present illness: chest pain.', 'chest pain').temporality, 'recent');
  assert.equal(of('A man with a history of gout who presents with chest pain.', 'chest pain').temporality, 'recent');
  assert.equal(of('A man with a history of gout who presents with chest pain.', 'gout').temporality, 'historical');
  // "history" also reaches back: "because of his CAD history".
  assert.equal(of("Because of the patient's coronary artery disease history, an EKG was done.", 'coronary artery disease').temporality, 'historical');
});

test('historical trigger families: past history, dates and ages, "in the past"; "in the past week" is recent', () => {
  const historical = [
    ['Past medical history of hypertension and gout.', 'gout'],
    ['PMH significant for asthma.', 'asthma'],
    ['She has a h/o seizures.', 'seizures'],
    ['Hx of stroke.', 'stroke'],
    ['She had a food impaction eight years ago which required endoscopy.', 'food impaction'],
    ['Two years ago she was treated for pneumonia.', 'pneumonia'],
    ['A sister with colon polyps at age 60.', 'colon polyps'],
    ['At the age of 40 he had a myocardial infarction.', 'myocardial infarction'],
    ['The glucagon made her nauseated the last time she had it.', 'nauseated'],
    ['She had a scan in the past, which showed osteoporosis.', 'osteoporosis'],
    ['He had diverticulitis in the past.', 'diverticulitis'],
  ];
  for (const [text, mention] of historical) assert.equal(of(text, mention).temporality, 'historical', text);
  assert.equal(of('Two years ago she was treated for pneumonia.', 'pneumonia').triggers.temporality?.text, 'years ago');
  // Recent spans are pseudo-triggers; a terminator still ends the scope.
  assert.equal(of('He has had chest pain in the past week.', 'chest pain').temporality, 'recent');
  assert.equal(of('In the past few days she noted a cough.', 'cough').temporality, 'recent');
  assert.equal(of('Two years ago she had a stroke, but today presents with chest pain.', 'chest pain').temporality, 'recent');
  assert.equal(of('He was admitted a few days ago with pneumonia.', 'pneumonia').temporality, 'recent');
});

test('a pseudo-trigger that extends a backward trigger to the right keeps its backward reading: "CAD history and ..."', () => {
  const text = "Because of the patient's coronary artery disease history and his symptoms, an EKG was done.";
  assert.equal(of(text, 'coronary artery disease').temporality, 'historical');
  assert.equal(of(text, 'coronary artery disease').triggers.temporality?.text, 'history');
  // ... but not its forward one: "history and physical" says nothing of what follows.
  assert.equal(of('History and physical showed pneumonia.', 'pneumonia').temporality, 'recent');
});

test('headings inside a sentence (line breaks lost) set the context of what follows them in it', () => {
  // An empty section's heading is followed by the next one: "PHYSICAL EXAM" is the section of the distress.
  const exam = 'PAST MEDICAL HISTORY: PHYSICAL EXAM: General Appearance: In no acute distress.';
  assert.equal(short(of(exam, 'acute distress')), 'negated/recent/patient');
  // A radiology header's "HISTORY:" is the reason for the exam, not a history trigger.
  const ct = 'CT HEAD: 08/01/07 3:45 PM HISTORY: Right-sided weakness.';
  assert.equal(of(ct, 'Right-sided weakness').temporality, 'recent');
  // An unknown heading keeps its trigger: "Menstrual History:".
  assert.equal(of('Cervix: normal. Menstrual History: post-menopausal.', 'post-menopausal').temporality, 'historical');
  // A known heading after a sentence on the same line: "Plan:" makes what follows it hypothetical.
  const plan = 'Seen for cough. Plan: recheck anemia in two weeks.';
  assert.equal(of(plan, 'anemia').temporality, 'hypothetical');
  assert.deepEqual(of(plan, 'anemia').triggers.temporality, { text: 'Plan', start: 16, end: 20, source: 'section' });
  assert.equal(of(plan, 'cough').temporality, 'recent');
  // Mixed headings are not their last word's: "HOSPITAL COURSE & PLAN:" is no plan.
  assert.equal(of('HOSPITAL COURSE & PLAN: Most likely vasovagal.', 'vasovagal').temporality, 'recent');
});

test('social-history habits are historical unless a trigger or section says otherwise', () => {
  assert.equal(short(of('Denies alcohol or drugs.', 'drugs')), 'negated/historical/patient');
  assert.equal(of('Denies alcohol or drugs.', 'drugs').triggers.temporality?.text, 'drugs');
  assert.equal(of('Given his risk factors including tobacco use, an EKG was done.', 'tobacco use').temporality, 'historical');
  // The habit is the heading itself: "ALCOHOL: two glasses of wine per day."
  assert.equal(of('ALCOHOL: Two glasses of wine per day.', 'ALCOHOL').temporality, 'historical');
  // A term only speaks for the entity it is in; a section or trigger decides first.
  assert.equal(of('Smoker with chest pain.', 'chest pain').temporality, 'recent');
  assert.equal(of('Plan:\nSmoking cessation counselling.', 'Smoking cessation').temporality, 'hypothetical');
  assert.equal(of('Return if alcohol use resumes.', 'alcohol use').temporality, 'hypothetical');
});

test('experiencer: family members make the entity someone else\'s', () => {
  assert.equal(of('Her mother had breast cancer.', 'breast cancer').experiencer, 'other');
  assert.equal(of("Patient's brother's diabetes.", 'diabetes').experiencer, 'other');
  assert.equal(of('Family history of colon cancer.', 'colon cancer').experiencer, 'other');
  assert.equal(of('She had breast cancer.', 'breast cancer').experiencer, 'patient');
});

test('sections: "Family history:", "Past medical history:", "Allergies:", "Plan:" set the context of what is under them', () => {
  const note = [
    'CHIEF COMPLAINT: chest pain.',
    'PAST MEDICAL HISTORY:',
    'Hypertension.',
    'Diabetes.',
    'Family history:',
    'Breast cancer in aunt.',
    'Colon cancer.',
    'Allergies: penicillin.',
    'Social history: Denies alcohol.',
    'Plan:',
    'Recheck anemia.',
    'Assessment: pneumonia.',
  ].join('\n');
  const names = findSections(note).map((s) => s.name);
  assert.deepEqual(names, ['chief_complaint', 'past_medical_history', 'family_history', 'allergies', 'social_history', 'plan', 'assessment']);
  const mentions = ['chest pain', 'Hypertension', 'Diabetes', 'Colon cancer', 'penicillin', 'alcohol', 'anemia', 'pneumonia'];
  const got = assertText(note, mentions.map((m) => span(note, m)));
  assert.deepEqual(got.map(short), [
    'affirmed/recent/patient',
    'affirmed/historical/patient',
    'affirmed/historical/patient',
    'affirmed/recent/other',
    'affirmed/historical/patient',
    'negated/historical/patient',
    'affirmed/hypothetical/patient',
    'affirmed/recent/patient',
  ]);
  assert.deepEqual(got[1].triggers.temporality, { text: 'PAST MEDICAL HISTORY', start: 29, end: 49, source: 'section' });
  // A trigger of the sentence decides before the section: "Denies" under "Social history:".
  assert.equal(got[5].triggers.negation?.text, 'Denies');
  // A possessive heading is its section: "HIS SOCIAL HISTORY:".
  assert.equal(of('HIS SOCIAL HISTORY: He denies tobacco.', 'tobacco').temporality, 'historical');
  // A heading's words are not triggers: the "history" of a radiology report's "HISTORY:" makes nothing historical.
  const inline = 'HISTORY:  Chest pain.\nPAST MEDICAL HISTORY:  Gout.';
  assert.equal(short(of(inline, 'Chest pain')), 'affirmed/recent/patient');
  assert.equal(short(of(inline, 'Gout')), 'affirmed/historical/patient');
});

test('trigger matching ignores case and the amount of whitespace; a longer phrase hides the shorter one inside it', () => {
  const matcher = new TriggerMatcher(parseTriggerTable('negation\tPREN\tno\nnegation\tPSEU\tno increase\nnegation\tPOST\twas ruled out\n'));
  const words = wordsOf('NO   increase; no fever. Sepsis was   ruled out.');
  const found = matcher.match(words).map((m) => `${m.rule.role}:${words.slice(m.first, m.last + 1).map((w) => w.text).join(' ')}`);
  assert.deepEqual(found, ['pseudo:no increase', 'forward:no', 'backward:was ruled out']);
  assert.throws(() => parseTriggerTable('negation\tPREX\tno\n'), /trigger table line/);
});

test('the assertion pass runs with the other document passes and gives every entity an assertion', () => {
  const text = 'Denies chest pain. Mother had asthma.';
  const entity = (mention: string): EntityPrediction => ({ ...span(text, mention), text: mention, confidence: 0.99 });
  const out = runDocumentPasses({ text, sentences: [{ start: 0, end: 18 }, { start: 19, end: text.length }] }, [entity('chest pain'), entity('asthma')]);
  assert.deepEqual(out.map((e) => short(e.assertion!)), ['negated/recent/patient', 'affirmed/recent/other']);
});
