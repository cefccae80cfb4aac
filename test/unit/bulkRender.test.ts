// The output formats of `bioner tag` on hand-made tagged documents: edge cases the fixtures do not reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnn } from '../../server/src/formats/brat';
import { parseConll } from '../../server/src/formats/conll';
import { renderBrat, renderConll, renderInline, renderJsonl, type TaggedDocument } from '../../server/src/bulk/render';
import type { EntityPrediction, Sentence } from '../../server/src/types';

function doc(text: string, spans: Array<[number, number, string]>, sentences: Sentence[] = []): TaggedDocument {
  const entities: EntityPrediction[] = spans.map(([start, end, label]) => ({ start, end, label, text: text.slice(start, end), confidence: 0.123456 }));
  return { file: 'a.txt', text, sentences, entities };
}

test('brat: offsets count code points (as brat does), and the .ann reads back with formats/brat', () => {
  const text = '\u{1D6FC}-blockers and aspirin'; // a mathematical alpha: two UTF-16 units, one code point
  const d = doc(text, [[text.indexOf('aspirin'), text.length, 'DRUG']]);
  assert.equal(renderBrat(d), 'T1\tDRUG 15 22\taspirin\n');
  assert.deepEqual(parseAnn(renderBrat(d), text, 'a.ann').entities.map((e) => [e.start, e.end]), [[16, 23]]);
});

test('conll: documents sharing one file are introduced by -DOCSTART- (id) and read back with formats/conll', () => {
  const text = 'aspirin now';
  const sentence: Sentence = { start: 0, end: 11, tokens: [{ text: 'aspirin', start: 0, end: 7 }, { text: 'now', start: 8, end: 11 }] };
  const out = renderConll(doc(text, [[0, 7, 'DRUG']], [sentence]), 'n1') + renderConll(doc(text, [], [sentence]), 'n2');
  const parsed = parseConll(out, 'out.conll').documents;
  assert.deepEqual(parsed.map((p) => [p.id, p.sentences[0].tags]), [['n1', ['B-DRUG', 'O']], ['n2', ['O', 'O']]]);
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
