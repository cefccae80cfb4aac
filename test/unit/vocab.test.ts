// Vocabularies: built by frequency with the special entries first, saved one entry per line, loaded back exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../server/src/errors';
import { CharVocab, loadVocabs, saveVocabs, VocabCounter, WordVocab } from '../../server/src/model/vocab';
import { textBlocks } from '../../server/src/train/rawText';

test('word vocabulary: <unk>, <s>, </s>, then words by frequency; rare words are <unk>', () => {
  const c = new VocabCounter();
  c.add(['b', 'a', 'b', 'c', 'b', 'a']);
  const v = WordVocab.build(c.words, 10, 2);
  assert.deepEqual(v.words, ['<unk>', '<s>', '</s>', 'b', 'a']);
  assert.equal(v.id('c'), 0);
  assert.equal(WordVocab.build(c.words, 1, 1).size, 4);
});

test('char vocabulary encodes words with markers, truncates long words, keeps unknown chars as <unk>', () => {
  const c = new VocabCounter();
  c.add(['ab', 'ba']);
  const v = CharVocab.build(c.chars, 1);
  const out = new Int32Array(6);
  v.encodeInto('abz', 10, out, 0);
  assert.deepEqual(Array.from(out), [2, v.id('a'), v.id('b'), 1, 3, 0]);
  assert.equal(CharVocab.encodedLength('abcdefgh', 5), 5);
  const short = new Int32Array(5);
  v.encodeInto('abababab', 5, short, 0);
  assert.deepEqual(Array.from(short), [2, v.id('a'), v.id('b'), v.id('a'), 3]);
});

test('save and load round-trip, including whitespace-like and astral characters; bad files are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-vocab-'));
  try {
    const c = new VocabCounter();
    c.add(['α-β', 'x\u00a0y', 'a\\b', '𝛼', 'µg']);
    const words = WordVocab.build(c.words, 100, 1);
    const chars = CharVocab.build(c.chars, 1);
    saveVocabs(dir, words, chars);
    const loaded = loadVocabs(dir);
    assert.deepEqual(loaded.words.words, words.words);
    assert.deepEqual(loaded.chars.chars, chars.chars);
    writeFileSync(join(dir, 'words.txt'), 'hello\n');
    assert.throws(() => loadVocabs(dir), (e: unknown) => e instanceof UserError && /words\.txt:1: a word vocabulary starts with/.test((e as Error).message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('raw text: PubTator files give title + abstract text, plain files give their non-blank lines', () => {
  const pubtator = '123|t|A title.\n123|a|The abstract.\n123\t0\t1\tA\tChemical\tD1\n\n456|t|Second.\n456|a|Text.\n';
  assert.deepEqual(textBlocks(pubtator, 'x.txt'), ['A title. The abstract.', 'Second. Text.']);
  assert.deepEqual(textBlocks('one\n\n two \n', 'y.txt'), ['one', ' two ']);
});
