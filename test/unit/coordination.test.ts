// The coordination pass (tagging/coordination.ts): an untagged member of a negated list of findings gets the label
// most of the list has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tagCoordinated } from '../../server/src/tagging/coordination';
import { runDocumentPasses } from '../../server/src/tagging/passes';
import { tokenize } from '../../server/src/text/tokenizer';
import type { EntityPrediction } from '../../server/src/types';

/** `text` with the model's entities given as [mention, label] (each after the previous one). */
function entitiesOf(text: string, model: Array<[string, string]>): EntityPrediction[] {
  let from = 0;
  return model.map(([mention, label]) => {
    const start = text.indexOf(mention, from);
    assert.ok(start >= 0, mention);
    from = start + mention.length;
    return { start, end: from, text: mention, label, confidence: 0.9 };
  });
}

const shown = (entities: EntityPrediction[]) => entities.map((e) => `${e.text}=${e.label}`);
const coordinated = (text: string, model: Array<[string, string]>) => shown(tagCoordinated(text, entitiesOf(text, model)));

test('an untagged finding in a negated list whose other members are findings is one too', () => {
  assert.deepEqual(coordinated('Extremities: No clubbing, cyanosis, or edema.', [['cyanosis', 'DISEASE'], ['edema', 'DISEASE']]), [
    'clubbing=DISEASE',
    'cyanosis=DISEASE',
    'edema=DISEASE',
  ]);
  assert.deepEqual(coordinated('No MURMURS, rubs or gallops.', [['MURMURS', 'DISEASE'], ['gallops', 'DISEASE']]), [
    'MURMURS=DISEASE',
    'rubs=DISEASE',
    'gallops=DISEASE',
  ]);
  // "no X, no Y, no Z": each member's own "no" is not part of it; a member of several words is taken whole.
  assert.deepEqual(
    coordinated('He denies chest pain, no palpitations, no shortness of breath, no night sweats.', [
      ['chest pain', 'DISEASE'],
      ['shortness of breath', 'DISEASE'],
      ['night sweats', 'DISEASE'],
    ]),
    ['chest pain=DISEASE', 'palpitations=DISEASE', 'shortness of breath=DISEASE', 'night sweats=DISEASE'],
  );
  // The last member ends where the predicate starts.
  assert.deepEqual(coordinated('No effusion, pneumothorax or consolidation is seen.', [['effusion', 'DISEASE'], ['pneumothorax', 'DISEASE']]), [
    'effusion=DISEASE',
    'pneumothorax=DISEASE',
    'consolidation=DISEASE',
  ]);
});

test('no label is given without a negated list mostly tagged with it', () => {
  // One entity beside one untagged phrase is no evidence.
  assert.deepEqual(coordinated('No rales or wheezes.', [['wheezes', 'DISEASE']]), ['wheezes=DISEASE']);
  // One tagged member of three is not most.
  assert.deepEqual(coordinated('No murmurs, gallops, or rubs.', [['gallops', 'DISEASE']]), ['gallops=DISEASE']);
  // Members with two labels: nothing is decided.
  assert.deepEqual(coordinated('No fever, aspirin, or cough today.', [['fever', 'DISEASE'], ['aspirin', 'DRUG'], ['cough', 'DISEASE']]), [
    'fever=DISEASE',
    'aspirin=DRUG',
    'cough=DISEASE',
  ]);
  // Not negated: prose joins clauses with commas and "and".
  assert.deepEqual(coordinated('Nausea, vomiting and dizziness improved.', [['Nausea', 'DISEASE'], ['vomiting', 'DISEASE']]), ['Nausea=DISEASE', 'vomiting=DISEASE']);
  // A member that is a clause ("changes in hearing") or longer than a few words is not a finding's name.
  assert.deepEqual(
    coordinated('No headache, changes in hearing, or neck pain.', [['headache', 'DISEASE'], ['neck pain', 'DISEASE']]),
    ['headache=DISEASE', 'neck pain=DISEASE'],
  );
  assert.deepEqual(
    coordinated('No fever, chills, sick contacts at home or abroad recently, or cough.', [['fever', 'DISEASE'], ['chills', 'DISEASE'], ['cough', 'DISEASE']]),
    ['fever=DISEASE', 'chills=DISEASE', 'cough=DISEASE'],
  );
  // The list ends at punctuation other than a comma.
  assert.deepEqual(coordinated('No fever or chills. Rash, itching.', [['fever', 'DISEASE'], ['chills', 'DISEASE']]), ['fever=DISEASE', 'chills=DISEASE']);
});

test('the pass runs with the document passes, per sentence, and the added finding is negated like its list', () => {
  const text = 'Fever resolved. Extremities: No clubbing, cyanosis, or edema.';
  const out = runDocumentPasses({ text, sentences: tokenize(text) }, entitiesOf(text, [['Fever', 'DISEASE'], ['cyanosis', 'DISEASE'], ['edema', 'DISEASE']]));
  assert.deepEqual(shown(out), ['Fever=DISEASE', 'clubbing=DISEASE', 'cyanosis=DISEASE', 'edema=DISEASE']);
  assert.equal(out[1].assertion?.negation, 'negated');
  assert.equal(out[1].confidence, 0.9);
});

test('a list that runs to the end of the text (no full stop yet, as while typing) is read, not a crash', () => {
  assert.deepEqual(coordinated('Aspirin and no fever', [['Aspirin', 'DRUG'], ['fever', 'DISEASE']]), ['Aspirin=DRUG', 'fever=DISEASE']);
  assert.deepEqual(coordinated('No clubbing, cyanosis, or edema', [['cyanosis', 'DISEASE'], ['edema', 'DISEASE']]), [
    'clubbing=DISEASE',
    'cyanosis=DISEASE',
    'edema=DISEASE',
  ]);
});
