// The heading pass (tagging/passes/headings.ts): nothing inside a known section heading is an entity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDocumentPasses } from '../../server/src/tagging/passes';
import { tokenize } from '../../server/src/text/tokenizer';
import type { EntityPrediction } from '../../server/src/types';

function passes(text: string, model: Array<[string, string]>): string[] {
  let from = 0;
  const entities: EntityPrediction[] = model.map(([mention, label]) => {
    const start = text.indexOf(mention, from);
    assert.ok(start >= 0, mention);
    from = start + mention.length;
    return { start, end: from, text: mention, label, confidence: 0.9 };
  });
  return runDocumentPasses({ text, sentences: tokenize(text) }, entities).map((e) => `${e.text}=${e.label}`);
}

test('a known heading\'s words are no entity, the text after it is tagged as before', () => {
  assert.deepEqual(
    passes('HISTORY OF PRESENT ILLNESS:  The patient is a man with cough.', [['PRESENT ILLNESS', 'DISEASE'], ['cough', 'DISEASE']]),
    ['cough=DISEASE'],
  );
  // Nor is a repeat of it elsewhere spread from it.
  assert.deepEqual(passes('HISTORY OF PRESENT ILLNESS:\nNo present illness of note.', [['PRESENT ILLNESS', 'DISEASE']]), []);
});

test('a heading that is no known section name (a problem-oriented plan) keeps its entity', () => {
  assert.deepEqual(passes('Plan:\nHypertension: continue lisinopril.', [['Hypertension', 'DISEASE'], ['lisinopril', 'DRUG']]), [
    'Hypertension=DISEASE',
    'lisinopril=DRUG',
  ]);
});
