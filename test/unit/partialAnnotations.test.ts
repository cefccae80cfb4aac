import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../server/src/engine/backend';
import { parseAnn } from '../../server/src/formats/brat';
import { COMPLETE_HEADER, PARTIAL_HEADER, setReviewState } from '../../server/src/formats/review';
import { scoredTags } from '../../server/src/model/evaluateModel';
import { loadModelDir } from '../../server/src/model/modelDir';
import { DEFAULT_SELF_LABELS, fillUnknownTags, selfTargets } from '../../server/src/train/selfLabels';
import { heldOutReport } from '../../server/src/train/heldOutReport';
import { readLabelledData } from '../../server/src/train/trainingData';

const shown = (s: { tokens: string[]; tags: string[] }) => s.tokens.map((t, i) => (s.tags[i] === 'O' ? t : `${t}/${s.tags[i]}`)).join(' ');

test('a partial sidecar: its entities and "not an entity" spans are known, every other token is unknown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-partial-'));
  const text = 'Ivacaftor helped. Metformin was stopped for asthma.';
  writeFileSync(join(dir, 'a.txt'), text);
  writeFileSync(join(dir, 'a.ann'), `${PARTIAL_HEADER}\nT1\tDRUG 0 9\tIvacaftor\n# bioner-not-entity: 10 16\thelped\n`);
  writeFileSync(join(dir, 'b.txt'), text);
  writeFileSync(join(dir, 'b.ann'), 'T1\tDRUG 0 9\tIvacaftor\n'); // a brat file from elsewhere: complete
  const partial = readLabelledData(join(dir, 'a.ann')).sentences.map(shown);
  assert.deepEqual(partial, ['Ivacaftor/B-DRUG helped ./?', 'Metformin/? was/? stopped/? for/? asthma/? ./?']);
  const complete = readLabelledData(join(dir, 'b.ann')).sentences.map(shown);
  assert.deepEqual(complete, ['Ivacaftor/B-DRUG helped .', 'Metformin was stopped for asthma .']);
  // Marked complete, the same sidecar teaches "no entity" everywhere else.
  writeFileSync(join(dir, 'a.ann'), setReviewState(readFileSync(join(dir, 'a.ann'), 'utf8'), true));
  assert.ok(readFileSync(join(dir, 'a.ann'), 'utf8').startsWith(`${COMPLETE_HEADER}\nT1\t`));
  assert.deepEqual(readLabelledData(join(dir, 'a.ann')).sentences.map(shown), complete);
  rmSync(dir, { recursive: true });
});

test('review lines: malformed ones and a "not an entity" that does not match the text are errors naming the line', () => {
  const text = 'Aspirin induced asthma.';
  assert.throws(() => parseAnn(`${PARTIAL_HEADER}\n# bioner-not-entity: 8 x\tinduced\n`, text, 'n.ann'), /n\.ann:2: malformed review line/);
  assert.throws(() => parseAnn(`${PARTIAL_HEADER}\n# bioner-not-entity: 0 7\tinduced\n`, text, 'n.ann'), /n\.ann:2: text mismatch/);
  assert.throws(() => parseAnn(`${PARTIAL_HEADER}\n# bioner-not-entity: 20 90\tx\n`, text, 'n.ann'), /n\.ann:2: offset 90 is past the end/);
  // Other comments stay comments; a complete file has no partial record.
  assert.equal(parseAnn('# bioner: written by "bioner tag"\nT1\tDRUG 0 7\tAspirin\n', text, 'c.ann').partial, undefined);
  assert.deepEqual(parseAnn(`${PARTIAL_HEADER}\n# bioner-not-entity: 8 15\tinduced\n`, text, 'p.ann').partial, { notEntities: [{ start: 8, end: 15, line: 2 }] });
});

test('scoring against a partial annotation: predictions on unreviewed tokens only are neither right nor wrong', () => {
  const gold = ['B-DRUG', 'O', '?', '?', '?', '?'];
  const predicted = ['B-DRUG', 'O', 'B-DRUG', 'O', 'B-DISEASE', 'O'];
  assert.deepEqual(scoredTags(gold, predicted), { gold: ['B-DRUG', 'O', 'O', 'O', 'O', 'O'], predicted: ['B-DRUG', 'O', 'O', 'O', 'O', 'O'] });
  // Touching reviewed text (here the span marked "not an entity") it counts as a false positive.
  assert.deepEqual(scoredTags(['O', '?'], ['B-DRUG', 'I-DRUG']).predicted, ['B-DRUG', 'I-DRUG']);
  // A complete sentence is scored as it is.
  assert.deepEqual(scoredTags(['O', 'B-DRUG'], ['B-DRUG', 'O']), { gold: ['O', 'B-DRUG'], predicted: ['B-DRUG', 'O'] });
});

/** A word taught as a new label (SYMPTOM) and left unreviewed elsewhere; an unreviewed sentence; a complete one. */
const REVIEWED = [
  { tokens: 'Wheezing was noted .'.split(' '), tags: ['B-SYMPTOM', '?', '?', '?'] },
  { tokens: 'Metformin was stopped because of asthma and wheezing .'.split(' '), tags: ['?', '?', '?', '?', '?', '?', '?', '?', 'O'] },
  { tokens: 'Cisplatin causes renal failure .'.split(' '), tags: ['O', 'O', 'O', 'O', 'O'] },
];

test('self-labels: the shipped model fills unreviewed text with what it knows; a taught word stays unknown; known tags never change', async () => {
  await initEngine({ backend: 'wasm' });
  const { model } = loadModelDir(join(__dirname, '..', '..', 'models', 'default'));
  try {
    const sentences = REVIEWED;
    const { sentences: filled, stats } = fillUnknownTags(model, sentences);
    assert.deepEqual(filled[0].tags, ['B-SYMPTOM', 'O', 'O', 'O']);
    assert.equal(filled[1].tags[0], 'B-DRUG', shown(filled[1]));
    // Confident predictions become known tags, uncertain ones stay unknown.
    for (const e of model.predict([sentences[1].tokens])[0].filter((x) => x.last < 7)) {
      assert.equal(filled[1].tags[e.first], e.confidence >= DEFAULT_SELF_LABELS.minConfidence ? `B-${e.label}` : '?', `${sentences[1].tokens[e.first]} at ${e.confidence}`);
    }
    assert.equal(filled[1].tags[1], 'O');
    assert.equal(filled[1].tags[8], 'O', 'a known tag is kept');
    assert.equal(filled[1].tags[7], '?', 'the word being taught is not made "no entity" where it was not annotated');
    assert.equal(filled[2], sentences[2], 'a complete sentence is untouched');
    assert.equal(stats.sentences, 2);
    assert.ok(stats.filled >= 9 && stats.leftUnknown >= 1, JSON.stringify(stats));
  } finally {
    model.dispose();
  }
});

test("soft self-labels: the shipped model's own scores on partial sentences; no opinion on a taught word or a type it lacks", async () => {
  await initEngine({ backend: 'wasm' });
  const { model } = loadModelDir(join(__dirname, '..', '..', 'models', 'default'));
  try {
    const sentences = REVIEWED;
    const targets = selfTargets(model, sentences, ['DISEASE']);
    assert.equal(targets[2], undefined, 'a complete sentence has no soft target');
    const L = model.tagSet.size;
    const { views } = model.crfInputs([sentences[1].tokens]);
    const drug = model.tagSet.begin('DRUG');
    for (let k = 0; k < sentences[1].tokens.length * L; k++) {
      const expected = model.tagSet.typeOf(k % L) === 'DRUG' ? -Infinity : views[0].data[k];
      assert.ok(Math.abs(targets[1]!.emissions[k] - expected) < 1e-4 || targets[1]!.emissions[k] === expected, `emission ${k}`);
    }
    assert.equal(targets[1]!.emissions[drug], -Infinity, 'a type the teacher did not have gets no mass');
    assert.deepEqual(Array.from(targets[1]!.own!), [0, 0, 0, 0, 0, 0, 0, 1, 0], 'the word being taught has no teacher opinion where it is unknown');
    assert.deepEqual(Array.from(targets[0]!.own!), [0, 0, 0, 0], 'where it is annotated it is known');
    assert.ok(Math.abs(selfTargets(model, sentences)[1]!.emissions[drug] - views[0].data[drug]) < 1e-4, 'all its types by default');
  } finally {
    model.dispose();
  }
});

test('held-out report: F1 only on labels both models know, only with enough entities; names found anew', () => {
  const sentence = (tags: string) => ({ tokens: tags.split(' ').map((_, i) => `w${i}`), tags: tags.split(' ') });
  // 40 sentences, each with a DRUG and a new SYMPTOM; the old model finds the drugs of half of them, never a symptom.
  const dev = Array.from({ length: 40 }, () => sentence('B-DRUG O B-SYMPTOM ? ?'));
  const before = dev.map((_, i) => (i % 2 ? 'B-DRUG O O O B-DISEASE' : 'O O O O O').split(' '));
  const after = dev.map(() => 'B-DRUG O B-SYMPTOM O O'.split(' '));
  const r = heldOutReport(dev, before, after, ['DISEASE', 'DRUG']);
  assert.equal(r.heldOutEntities, 80);
  assert.deepEqual(r.sharedLabels, ['DRUG'], 'SYMPTOM is new, DISEASE has no held-out entity');
  assert.ok(r.measurable);
  assert.ok(Math.abs(r.f1Before! - 2 / 3) < 1e-9, `before ${r.f1Before}`); // P 1, R 0.5 (the DISEASE on unreviewed text is not scored)
  assert.equal(r.f1After, 1);
  assert.deepEqual([r.missedBefore, r.foundAfter], [60, 60]);
  // Too few entities: no percentage.
  const small = heldOutReport(dev.slice(0, 10), before.slice(0, 10), after.slice(0, 10), ['DISEASE', 'DRUG']);
  assert.equal(small.measurable, false);
  assert.equal(small.f1Before, undefined);
});
