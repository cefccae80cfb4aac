import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findAbbreviations, longFormStart, propagateAbbreviations } from '../../server/src/tagging/abbreviations';
import type { EntityPrediction } from '../../server/src/types';

/** Entities for the given (text, label, confidence) mentions, found in order in `text`. */
function tagged(text: string, mentions: Array<[string, string, number?]>): EntityPrediction[] {
  let from = 0;
  return mentions.map(([mention, label, confidence = 0.9]) => {
    const start = text.indexOf(mention, from);
    assert.ok(start >= 0, mention);
    from = start + mention.length;
    return { start, end: from, label, text: mention, confidence };
  });
}

const shown = (entities: EntityPrediction[]) => entities.map((e) => `${e.text}=${e.label}${e.abbreviationOf ? `<${e.abbreviationOf}` : ''}`);

test('Schwartz & Hearst: the short form\'s characters occur in order, the first one at a word start', () => {
  assert.equal(longFormStart('PD', "Parkinson's disease"), 0);
  assert.equal(longFormStart('5-FU', 'treated with 5-fluorouracil'), 13);
  assert.equal(longFormStart('LID', 'levodopa-induced dyskinesias'), 0);
  assert.equal(longFormStart('TNF', 'tumour necrosis factor'), 0);
  assert.equal(longFormStart('PD', 'disease'), -1); // no word starts with p
  assert.equal(longFormStart('PD', 'updated'), -1); // the p does not start a word
  assert.equal(longFormStart('ABC', 'AB'), -1);
});

test('an abbreviation defined after an entity gets its label everywhere in the document, with the long form in the result', () => {
  const text = "Patients with Parkinson's disease (PD) were studied. PD progressed in 3 of 10. In PD, tremor was common.";
  const entities = tagged(text, [["Parkinson's disease", 'DISEASE', 0.97], ['tremor', 'DISEASE']]);
  const out = propagateAbbreviations(text, entities);
  assert.deepEqual(shown(out), [
    "Parkinson's disease=DISEASE",
    "PD=DISEASE<Parkinson's disease",
    "PD=DISEASE<Parkinson's disease",
    "PD=DISEASE<Parkinson's disease",
    'tremor=DISEASE',
  ]);
  for (const e of out) assert.equal(text.slice(e.start, e.end), e.text);
  assert.equal(out[1].confidence, 0.97, 'an added short form carries its long form\'s confidence');
});

test('a short form tagged with another label is relabelled; one inside a longer entity, or part of a word, is left alone', () => {
  const text = 'We gave cyclosporine A (CsA). CsA levels rose; CsA-induced nephrotoxicity and CsAx were seen.';
  const entities = tagged(text, [
    ['cyclosporine A', 'DRUG', 0.99],
    ['CsA', 'DISEASE', 0.6],
    ['CsA-induced nephrotoxicity', 'DISEASE'],
  ]);
  const out = propagateAbbreviations(text, entities);
  assert.deepEqual(shown(out), ['cyclosporine A=DRUG', 'CsA=DRUG<cyclosporine A', 'CsA=DRUG<cyclosporine A', 'CsA-induced nephrotoxicity=DISEASE']);
  assert.equal(out[2].runnerUp, undefined);
});

test('a short form whose long form is no entity is no entity either, unless the document defines it with one', () => {
  const text = 'Mean arterial pressure (MAP) fell. MAP was lower than in controls.';
  const out = propagateAbbreviations(text, tagged(text, [['MAP', 'DISEASE'], ['MAP', 'DISEASE']]));
  assert.deepEqual(shown(out), []);
  const twice = 'Mean arterial pressure (MAP) fell. In malignant atrophic papulosis (MAP), MAP recurs.';
  const mixed = propagateAbbreviations(twice, tagged(twice, [['malignant atrophic papulosis', 'DISEASE'], ['MAP', 'DISEASE']]));
  assert.deepEqual(shown(mixed), [
    'MAP=DISEASE<malignant atrophic papulosis',
    'malignant atrophic papulosis=DISEASE',
    'MAP=DISEASE',
    'MAP=DISEASE<malignant atrophic papulosis',
  ]);
});

test('the label comes from the long form\'s head: an entity inside it does not make the abbreviation one', () => {
  const text = 'Glutamic acid decarboxylase (GAD) was measured; GAD rose.';
  const out = propagateAbbreviations(text, tagged(text, [['Glutamic acid', 'DRUG']]));
  assert.deepEqual(shown(out), ['Glutamic acid=DRUG']);
  const head = 'It lowered levodopa-induced dyskinesias (LID). LID fell.';
  const definitions = findAbbreviations(head, tagged(head, [['levodopa', 'DRUG'], ['dyskinesias', 'DISEASE']]));
  assert.deepEqual([...definitions.values()], [{ short: 'LID', long: 'levodopa-induced dyskinesias', label: 'DISEASE', confidence: 0.9 }]);
});

test('parentheses that are no abbreviation change nothing, and the result is sorted whatever the input order', () => {
  const text = 'Doses (i) and (ii) of aspirin (100 mg) were given (n = 12) for headache (see Table 2).';
  const entities = tagged(text, [['aspirin', 'DRUG'], ['headache', 'DISEASE']]);
  assert.deepEqual(propagateAbbreviations(text, [...entities].reverse()), entities);
  assert.equal(findAbbreviations(text, entities).size, 0);
  assert.deepEqual(propagateAbbreviations('', []), []);
  // A short form needs an upper-case letter: lower-case ones are too often ordinary words.
  const lower = 'We gave acetylsalicylic acid (asa) daily; asa was stopped.';
  assert.deepEqual(shown(propagateAbbreviations(lower, tagged(lower, [['acetylsalicylic acid', 'DRUG']]))), ['acetylsalicylic acid=DRUG']);
});
