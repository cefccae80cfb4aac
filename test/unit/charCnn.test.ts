// The char-CNN as unfold + matMul equals a direct convolution, its gradients match finite differences, and with
// word lengths its output does not depend on how far a word is padded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { checkGradients } from '../../server/src/engine/gradCheck';
import { CharCnn, unfold } from '../../server/src/model/charCnn';
import { seededRandom } from '../../server/src/model/batching';

const ids = Int32Array.from([2, 5, 6, 7, 3, 0, 0, 2, 8, 3, 0, 0, 0, 0, 2, 4, 4, 9, 9, 3, 0]); // 3 words x 7 chars

test('unfold lists the width-w windows of each word', () => {
  assert.deepEqual(Array.from(unfold(Int32Array.from([1, 2, 3, 4]), 1, 4, 2)), [1, 2, 2, 3, 3, 4]);
  assert.deepEqual(Array.from(unfold(Int32Array.from([1, 2, 3, 4, 5, 6]), 2, 3, 3)), [1, 2, 3, 4, 5, 6]);
});

test('char-CNN output equals max over positions of a direct convolution, relu', async () => {
  await initEngine({ backend: 'wasm' });
  const cnn = new CharCnn('cnn', { charVocabSize: 10, embeddingDim: 3, filters: [[1, 2], [3, 4]] });
  const out = tf.tidy(() => cnn.apply({ ids, N: 3, C: 7 }).arraySync()) as number[][];
  const w = cnn.params.getWeights();
  const E = w['cnn/char_embedding'].arraySync() as number[][];
  const expected = [0, 1, 2].map((n) => {
    const row: number[] = [];
    for (const [k, [width, count]] of [[1, 2], [3, 4]].entries()) {
      const K = w[`cnn/conv_w${width}/kernel`].arraySync() as number[][];
      const b = w[`cnn/conv_w${width}/bias`].arraySync() as number[];
      for (let f = 0; f < count; f++) {
        let best = -Infinity;
        for (let p = 0; p + width <= 7; p++) {
          let s = b[f];
          for (let o = 0; o < width; o++) for (let d = 0; d < 3; d++) s += E[ids[n * 7 + p + o]][d] * K[o * 3 + d][f];
          best = Math.max(best, s);
        }
        row.push(Math.max(0, best));
      }
      void k;
    }
    return row;
  });
  out.forEach((row, n) => row.forEach((v, f) => assert.ok(Math.abs(v - expected[n][f]) < 1e-5, `${n},${f}: ${v} vs ${expected[n][f]}`)));
  assert.equal(cnn.outputDim, 6);
  cnn.params.dispose();
});

test('char-CNN gradients (kernels, biases, char embeddings) match finite differences', async () => {
  await initEngine({ backend: 'wasm' });
  const cnn = new CharCnn('cnn', { charVocabSize: 10, embeddingDim: 4, filters: [[2, 3], [3, 5]] });
  // Fixed weights, so that no run lands a max-pool tie (a kink) under a finite difference by chance.
  const fixed = Object.fromEntries(
    Object.entries(cnn.params.shapes()).map(([name, shape], k) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return [name, tf.tensor(Float32Array.from({ length: size }, (_, i) => Math.sin(7 * i + 3 * k + 1) / 2), shape)];
    }),
  );
  cnn.params.setWeights(fixed, 'test', true);
  tf.dispose(Object.values(fixed));
  const weights = tf.tensor2d(Float32Array.from({ length: 3 * 8 }, (_, i) => Math.sin(i + 1)), [3, 8]);
  const before = tf.memory().numTensors;
  const result = checkGradients(() => tf.sum(tf.mul(cnn.apply({ ids, N: 3, C: 7 }), weights)) as tf.Scalar, cnn.params.variables, {
    coordinates: 6,
    random: seededRandom(3),
  });
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  assert.ok(result.errors.length >= 30);
  assert.ok(result.failureRate(0.03) <= 0.1, `relative errors ${result.errors.map((e) => e.toFixed(3))}`);
  cnn.params.dispose();
  weights.dispose();
});

test('with word lengths, the padding is masked: a word gives the same output however far it is padded', async () => {
  await initEngine({ backend: 'wasm' });
  const cnn = new CharCnn('cnn', { charVocabSize: 10, embeddingDim: 3, filters: [[1, 2], [3, 4]] });
  // Padding (char 0) embeds large and every kernel weight is positive, so unmasked, a window of padding wins the max.
  const weights: Record<string, tf.Tensor> = {
    'cnn/char_embedding': tf.tensor2d(Float32Array.from({ length: 30 }, (_, i) => (i < 3 ? 5 : Math.sin(i) / 10)), [10, 3]),
    'cnn/conv_w1/kernel': tf.fill([3, 2], 0.5),
    'cnn/conv_w1/bias': tf.zeros([2]),
    'cnn/conv_w3/kernel': tf.fill([9, 4], 0.5),
    'cnn/conv_w3/bias': tf.zeros([4]),
  };
  cnn.params.setWeights(weights, 'test', true);
  tf.dispose(Object.values(weights));
  const before = tf.memory().numTensors;
  const word = [2, 8, 8, 3]; // 4 chars
  const padded = (C: number) => Int32Array.from({ length: C }, (_, c) => word[c] ?? 0);
  const alone = tf.tidy(() => cnn.apply({ ids: padded(4), N: 1, C: 4, lengths: Int32Array.of(4) }).arraySync()[0]);
  const far = tf.tidy(() => cnn.apply({ ids: padded(9), N: 1, C: 9, lengths: Int32Array.of(4) }).arraySync()[0]);
  alone.forEach((v, f) => assert.ok(Math.abs(v - far[f]) < 1e-6, `filter ${f}: ${v} vs ${far[f]}`));
  // A word shorter than the widest filter keeps that filter's one window, which takes in padding.
  const short = tf.tidy(() => cnn.apply({ ids: Int32Array.of(2, 3, 0, 0, 0, 0), N: 1, C: 6, lengths: Int32Array.of(2) }).arraySync()[0]);
  const shortAtThree = tf.tidy(() => cnn.apply({ ids: Int32Array.of(2, 3, 0), N: 1, C: 3 }).arraySync()[0]);
  short.forEach((v, f) => assert.ok(Math.abs(v - shortAtThree[f]) < 1e-6, `short word, filter ${f}: ${v} vs ${shortAtThree[f]}`));
  // Unmasked, the windows of padding join the max (the behaviour this guards against).
  const unmasked = tf.tidy(() => cnn.apply({ ids: padded(9), N: 1, C: 9 }).arraySync()[0]);
  assert.ok(unmasked.every((v, f) => v > alone[f] + 1), 'padding changes an unmasked output');
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  cnn.params.dispose();
});
