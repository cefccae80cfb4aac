// Highway layers: y = g * relu(W_h x + b_h) + (1 - g) * x; gradients match finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { checkGradients } from '../../server/src/engine/gradCheck';
import { Highway } from '../../server/src/model/highway';
import { seededRandom } from '../../server/src/model/batching';

test('one highway layer computes g * relu(Wx + b) + (1 - g) * x', async () => {
  await initEngine({ backend: 'wasm' });
  const hw = new Highway('hw', 2, 1);
  hw.params.setWeights({
    'hw/layer0/kernel': tf.tensor2d([[1, 0, 0, 0], [0, -1, 0, 0]]),
    'hw/layer0/bias': tf.tensor1d([0, 0, 0, Math.log(3)]), // gates: sigmoid(0) = 0.5, sigmoid(log 3) = 0.75
  });
  const y = tf.tidy(() => hw.apply(tf.tensor2d([[2, 3]])).arraySync()) as number[][];
  // unit 0: 0.5 * relu(2) + 0.5 * 2 = 2; unit 1: 0.75 * relu(-3) + 0.25 * 3 = 0.75
  assert.ok(Math.abs(y[0][0] - 2) < 1e-5 && Math.abs(y[0][1] - 0.75) < 1e-5, JSON.stringify(y));
  hw.params.dispose();
});

test('highway gradients match finite differences', async () => {
  await initEngine({ backend: 'wasm' });
  const hw = new Highway('hw', 6, 2);
  const x = tf.tensor2d(Float32Array.from({ length: 5 * 6 }, (_, i) => Math.cos(i * 0.7)), [5, 6]);
  const w = tf.tensor2d(Float32Array.from({ length: 5 * 6 }, (_, i) => Math.sin(i * 1.3)), [5, 6]);
  const result = checkGradients(() => tf.sum(tf.mul(hw.apply(x), w)) as tf.Scalar, hw.params.variables, {
    coordinates: 8,
    random: seededRandom(5),
  });
  assert.ok(result.failureRate(0.03) <= 0.1, `relative errors ${result.errors.map((e) => e.toFixed(3))}`);
  hw.params.dispose();
  x.dispose();
  w.dispose();
});
