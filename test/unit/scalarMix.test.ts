import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { ScalarMix } from '../../server/src/model/scalarMix';

test('scalar mix is gamma times the softmax-weighted sum of the layers', async () => {
  await initEngine({ backend: 'cpu' });
  const before = tf.memory().numTensors;
  const mix = new ScalarMix(3);
  const layers = [1, 2, 4].map((v) => tf.fill([1, 2, 2], v) as tf.Tensor3D);
  mix.params.setWeights({ 'scalarMix/weights': tf.tensor1d([0, Math.log(2), Math.log(5)]), 'scalarMix/gamma': tf.scalar(2) });
  // softmax = [1, 2, 5] / 8 -> (1*1 + 2*2 + 5*4) / 8 * 2 = 6.25
  const out = mix.apply(layers);
  for (const v of out.dataSync()) assert.ok(Math.abs(v - 6.25) < 1e-5);
  assert.deepEqual(mix.layerWeights().map((w) => Math.round(w * 8)), [1, 2, 5]);
  out.dispose();
  layers.forEach((l) => l.dispose());
  mix.dispose();
  assert.ok(tf.memory().numTensors <= before + 2); // setWeights' argument tensors are the caller's
});

test('layer norm makes each token vector zero-mean before mixing, and gradients reach the mix weights', async () => {
  await initEngine({ backend: 'cpu' });
  const mix = new ScalarMix(2, true);
  const a = tf.tensor3d([[[1, 3], [10, 30]]]);
  const b = tf.tensor3d([[[5, 5], [0, 2]]]);
  const out = mix.apply([a, b]).arraySync()[0];
  for (const token of out) assert.ok(Math.abs(token[0] + token[1]) < 1e-5);
  const grads = tf.variableGrads(() => tf.sum(tf.mul(mix.apply([a, b]), tf.tensor3d([[[1, 0], [0, 0]]]))) as tf.Scalar, mix.variables);
  assert.ok(Math.abs(grads.grads[mix.gamma.name].dataSync()[0]) > 0);
  mix.dispose();
});
