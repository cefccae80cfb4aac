import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelRepeats } from '../../server/src/tagging/repeats';
import { resolveDocument } from '../../server/src/tagging/pipeline';
import type { EntityPrediction } from '../../server/src/types';

function at(text: string, mention: string, label: string, confidence: number, from = 0): EntityPrediction {
  const start = text.indexOf(mention, from);
  assert.ok(start >= 0, mention);
  return { start, end: start + mention.length, label, text: mention, confidence };
}
const shown = (entities: EntityPrediction[]) => entities.map((e) => `${e.start}:${e.text}=${e.label}${e.repeatOf !== undefined ? `@${e.repeatOf}` : ''}`);

test('untagged whole-word repeats of a confident entity get its label, case-insensitively, with the source\'s offset', () => {
  const text = 'Ifosfamide caused haematuria. Haematuria resolved; ifosfamide was stopped, and haematuria-free weeks followed.';
  const entities = [at(text, 'Ifosfamide', 'DRUG', 0.99), at(text, 'haematuria', 'DISEASE', 0.93)];
  const out = labelRepeats(text, entities);
  assert.deepEqual(shown(out), [
    '0:Ifosfamide=DRUG',
    '18:haematuria=DISEASE',
    '30:Haematuria=DISEASE@18',
    '51:ifosfamide=DRUG@0',
    '79:haematuria=DISEASE@18',
  ]);
  for (const e of out) assert.equal(text.slice(e.start, e.end), e.text);
  assert.equal(out[2].confidence, 0.93);
});

test('no repeat from an unconfident or short entity, none inside a word, and none overlapping another entity', () => {
  const text = 'Fever and fever; a rash and rash. Lead in leaden pipes; lead poisoning was seen.';
  const entities = [
    at(text, 'Fever', 'DISEASE', 0.6), // under 0.8
    at(text, 'rash', 'DISEASE', 0.99), // under 5 characters
    at(text, 'Lead', 'DRUG', 0.99, 30),
    at(text, 'lead poisoning', 'DISEASE', 0.9),
  ];
  const out = labelRepeats(text, entities, { minConfidence: 0.8, minLength: 4 });
  // "rash" (4 characters here) repeats; "leaden" is another word; "lead" of "lead poisoning" is inside an entity.
  assert.deepEqual(shown(out), ['0:Fever=DISEASE', '19:rash=DISEASE', '28:rash=DISEASE@19', '34:Lead=DRUG', '56:lead poisoning=DISEASE']);
  assert.deepEqual(shown(labelRepeats(text, entities)), shown(entities), 'the defaults: 0.8 and 5 characters');
  const plural = 'Renal failure. Renal failures were rare.';
  assert.deepEqual(shown(labelRepeats(plural, [at(plural, 'Renal failure', 'DISEASE', 0.9)])), ['0:Renal failure=DISEASE']);
});

test('the longest repeat wins, and the most confident source gives label and confidence', () => {
  const text = 'renal failure; acute renal failure. Later acute renal failure recurred.';
  const entities = [at(text, 'renal failure', 'DISEASE', 0.85), at(text, 'acute renal failure', 'DISEASE', 0.95)];
  assert.deepEqual(shown(labelRepeats(text, entities)), ['0:renal failure=DISEASE', '15:acute renal failure=DISEASE', '42:acute renal failure=DISEASE@15']);
  const twice = 'Cisplatin, cisplatin and CISPLATIN.';
  const out = labelRepeats(twice, [at(twice, 'Cisplatin', 'DRUG', 0.81), at(twice, 'cisplatin', 'DRUG', 0.97)]);
  assert.deepEqual(shown(out), ['0:Cisplatin=DRUG', '11:cisplatin=DRUG', '25:CISPLATIN=DRUG@11']);
  assert.equal(out[2].confidence, 0.97);
});

test('the document pass: abbreviations first, then repeats; empty input stays empty', () => {
  const text = 'Torsade de pointes (TdP) occurred. Later torsade de pointes and TdP recurred.';
  const out = resolveDocument(text, [at(text, 'Torsade de pointes', 'DISEASE', 0.9)], [{ start: 0, end: text.length }]);
  assert.deepEqual(shown(out), ['0:Torsade de pointes=DISEASE', '20:TdP=DISEASE', '41:torsade de pointes=DISEASE@0', '64:TdP=DISEASE']);
  assert.deepEqual(resolveDocument('', [], []), []);
  // Only inside the tagged ranges (here: not the code block of a Markdown file).
  const markdown = 'Give naloxone now.\n```\nnaloxone = 1\n```\nThen naloxone again.';
  const tagged = [{ start: 0, end: 18 }, { start: 40, end: 60 }];
  const inside = resolveDocument(markdown, [at(markdown, 'naloxone', 'DRUG', 0.95)], tagged);
  assert.deepEqual(shown(inside), ['5:naloxone=DRUG', '45:naloxone=DRUG@5']);
});
