// The tagger's own char-CNN: one vector per word type, zero at padding, trainable, cached for inference only while
// the weights stay the same, and no tensor left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { TaskCharEncoder } from '../../server/src/model/taskCharEncoder';
import { CharVocab, VocabCounter } from '../../server/src/model/vocab';
import { assertClose } from './helpers/close';

const sentences = [['Aspirin', 'and', 'aspirin'], ['Cisplatin']];
const counter = new VocabCounter();
for (const s of sentences) counter.add(s);
const vocab = CharVocab.build(counter.chars, 1);

test('[B, T, F]: equal words get equal vectors, padding is zero, a long word is truncated', async () => {
  await initEngine({ backend: 'wasm' });
  const encoder = new TaskCharEncoder('t', vocab, { embeddingDim: 4, filters: [[2, 3], [3, 5]], maxChars: 6 });
  assert.equal(encoder.outputDim, 8);
  const before = tf.memory().numTensors;
  const out = encoder.apply([...sentences, ['Cisplatinum']], 4, false);
  assert.deepEqual(out.shape, [3, 4, 8]);
  const v = (await out.array()) as number[][][];
  const alone = encoder.apply([['Aspirin']], 1, true);
  assertClose(v[0][0], (alone.arraySync() as number[][][])[0][0], 'Aspirin in a batch vs alone');
  alone.dispose();
  assert.notDeepEqual(v[0][0], v[0][2], 'case is seen');
  assert.deepEqual(v[0][3], new Array(8).fill(0));
  assert.deepEqual(v[1][1], new Array(8).fill(0));
  // maxChars 6 keeps 4 characters: Cisplatin and Cisplatinum look the same.
  assertClose(v[2][0], v[1][0], 'Cisplatinum vs Cisplatin');
  out.dispose();
  assert.equal(tf.memory().numTensors, before);
  encoder.cnn.params.dispose();
});

test('gradients reach every char-CNN variable; empty sentences give zeros', async () => {
  await initEngine({ backend: 'wasm' });
  const encoder = new TaskCharEncoder('t', vocab, { embeddingDim: 4, filters: [[2, 3]], maxChars: 20 });
  const { grads } = tf.variableGrads(() => tf.sum(tf.square(encoder.apply(sentences, 3, true))) as tf.Scalar, encoder.variables);
  assert.equal(Object.keys(grads).length, encoder.variables.length);
  for (const g of Object.values(grads)) assert.ok(tf.sum(tf.abs(g)).dataSync()[0] > 0);
  tf.dispose(grads);
  const empty = encoder.apply([[], []], 2, false);
  assert.deepEqual(empty.shape, [2, 2, 3]);
  assert.equal(tf.sum(tf.abs(empty)).dataSync()[0], 0);
  empty.dispose();
  encoder.cnn.params.dispose();
});

test("a word's vector does not depend on the other words of the batch (a longer word pads nothing differently)", async () => {
  await initEngine({ backend: 'wasm' });
  const encoder = new TaskCharEncoder('t', vocab, { embeddingDim: 4, filters: [[2, 3], [4, 5]], maxChars: 20 });
  const alone = encoder.apply([['and']], 1, true);
  const withLong = encoder.apply([['and'], ['Cisplatinaspirin']], 1, true);
  assertClose((withLong.arraySync() as number[][][])[0][0], (alone.arraySync() as number[][][])[0][0], 'and');
  tf.dispose([alone, withLong]);
  encoder.cnn.params.dispose();
});

test('inference reuses cached word vectors; a training pass or new weights empty the cache', async () => {
  await initEngine({ backend: 'wasm' });
  const encoder = new TaskCharEncoder('t', vocab, { embeddingDim: 4, filters: [[2, 3]], maxChars: 20 }, 2);
  const row = (out: tf.Tensor3D, b: number, t: number): number[] => {
    const v = (out.arraySync() as number[][][])[b][t];
    out.dispose();
    return v;
  };
  const fresh = row(encoder.apply([['Aspirin', 'and', 'Cisplatin']], 3, true), 0, 2);
  assert.equal(encoder.cacheSize, 0, 'training computes, never caches');
  // Three word types through a cache of two: the evicted first words still get their own vectors.
  const cached = encoder.apply([['Aspirin', 'and', 'Cisplatin']], 3, false);
  assert.equal(encoder.cacheSize, 2);
  assertClose(row(cached, 0, 2), fresh, 'Cisplatin: inference vs training');
  assertClose(row(encoder.apply([['Cisplatin']], 1, false), 0, 0), fresh, 'a cache hit equals the computed vector');

  // New weights: the cached vector of Cisplatin must not survive.
  const weights = encoder.cnn.params.getWeights();
  const doubled = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, tf.mul(v, 2)]));
  encoder.cnn.params.setWeights(doubled);
  encoder.clearCache(); // what TaskEncoder.setWeights does
  assert.equal(encoder.cacheSize, 0);
  assert.notDeepEqual(row(encoder.apply([['Cisplatin']], 1, false), 0, 0), fresh);
  assert.equal(encoder.cacheSize, 1);
  encoder.apply([['and']], 1, true).dispose();
  assert.equal(encoder.cacheSize, 0, 'a training pass empties the cache');
  tf.dispose([...Object.values(doubled)]);
  encoder.cnn.params.dispose();
});
