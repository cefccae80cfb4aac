// The output formats of `bioner tag` on hand-made tagged documents: edge cases the fixtures do not reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBrat, renderConll, renderInline, renderJsonl, type TaggedDocument } from '../../server/src/bulk/render';
import type { EntityPrediction, Sentence } from '../../server/src/types';

function doc(text: string, spans: Array<[number, number, string]>, sentences: Sentence[] = []): TaggedDocument {
  const entities: EntityPrediction[] = spans.map(([start, end, label]) => ({ start, end, label, text: text.slice(start, end), confidence: 0.123456 }));
  return { file: 'a.txt', text, sentences, entities };
}

test('brat: an entity across a line break becomes a discontinuous span', () => {
  const text = 'cystic\nfibrosis here';
  assert.equal(renderBrat(doc(text, [[0, 15, 'DISEASE']])), 'T1\tDISEASE 0 6;7 15\tcystic fibrosis\n');
});

test('inline: an entity overlapping an earlier one is left unmarked; a final newline is added', () => {
  assert.equal(renderInline(doc('ab cd', [[0, 5, 'X'], [3, 5, 'Y']])), '[ab cd/X]\n');
});

test('conll: consecutive entities of one label each begin with B-; a token touched by an entity is inside it', () => {
  const text = 'aa bb cc';
  const sentence: Sentence = {
    start: 0,
    end: 8,
    tokens: [
      { text: 'aa', start: 0, end: 2 },
      { text: 'bb', start: 3, end: 5 },
      { text: 'cc', start: 6, end: 8 },
    ],
  };
  assert.equal(renderConll(doc(text, [[0, 2, 'X'], [3, 7, 'X']], [sentence])), 'aa\tB-X\nbb\tB-X\ncc\tI-X\n\n');
});

test('jsonl: confidences rounded to 4 decimals, id and line only for JSONL input', () => {
  const d = doc('aspirin', [[0, 7, 'DRUG']]);
  assert.equal(renderJsonl(d), '{"file":"a.txt","entities":[{"start":0,"end":7,"label":"DRUG","text":"aspirin","confidence":0.1235}]}\n');
  assert.equal(JSON.parse(renderJsonl({ ...d, id: 'x', line: 3 })).line, 3);
});
