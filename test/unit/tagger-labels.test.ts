import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../server/src/errors';
import { applyLabelMap, parseLabelMap, TagSet } from '../../server/src/model/labels';

test('label map: renames types, TYPE=O drops them, bad specs are user errors', () => {
  const map = parseLabelMap('Chemical=DRUG, Disease=DISEASE,Gene=O');
  assert.deepEqual([...map], [['Chemical', 'DRUG'], ['Disease', 'DISEASE'], ['Gene', 'O']]);
  const [s] = applyLabelMap([{ tokens: ['a', 'b', 'c', 'd', 'e'], tags: ['B-Chemical', 'I-Chemical', 'B-Gene', 'B-Disease', 'B-Species'] }], map);
  assert.deepEqual(s.tags, ['B-DRUG', 'I-DRUG', 'O', 'B-DISEASE', 'B-Species']);
  assert.throws(() => parseLabelMap('Chemical'), UserError);
  assert.throws(() => parseLabelMap('a=b=c'), UserError);
  assert.equal(parseLabelMap(undefined).size, 0);
});

test('tag set: inventory from data, BIO constraints, unknown types read as O', () => {
  const tagSet = TagSet.fromSentences([{ tokens: ['x', 'y'], tags: ['B-Disease', 'B-Chemical'] }]);
  assert.deepEqual(tagSet.tags, ['O', 'B-Chemical', 'I-Chemical', 'B-Disease', 'I-Disease']);
  const { allowed, startAllowed } = tagSet.constraints();
  const ok = (from: string, to: string) => allowed[tagSet.indexOf(from) * tagSet.size + tagSet.indexOf(to)] === 1;
  assert.ok(ok('O', 'B-Chemical') && ok('B-Chemical', 'I-Chemical') && ok('I-Chemical', 'I-Chemical') && ok('I-Disease', 'B-Disease'));
  assert.ok(!ok('O', 'I-Chemical') && !ok('B-Disease', 'I-Chemical') && !ok('I-Disease', 'I-Chemical'));
  assert.deepEqual(Array.from(startAllowed), [1, 1, 0, 1, 0]);
  assert.deepEqual(tagSet.decode(tagSet.encode(['B-Gene', 'I-Gene', 'B-Disease'])), ['O', 'O', 'B-Disease']);
  assert.throws(() => tagSet.indexOf('B-Gene'), /unknown tag "B-Gene"/);
});
