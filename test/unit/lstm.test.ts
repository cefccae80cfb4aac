// The LSTM: padding never changes real tokens' outputs (either direction), weights are named, gradients are right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { checkGradients } from '../../server/src/engine/gradCheck';
import { setNativeLstmSequence } from '../../server/src/engine/nativeBlas';
import { Lstm } from '../../server/src/model/lstm';
import { seededRandom } from '../../server/src/model/batching';

function inputs(lengths: number[], I: number, T: number): { x: tf.Tensor3D; mask: tf.Tensor2D; rows: number[][][] } {
  const r = seededRandom(11);
  const rows = lengths.map((n) => Array.from({ length: n }, () => Array.from({ length: I }, () => r() * 2 - 1)));
  const data = new Float32Array(lengths.length * T * I);
  const mask = new Float32Array(lengths.length * T);
  rows.forEach((s, b) => s.forEach((v, t) => {
    data.set(v, (b * T + t) * I);
    mask[b * T + t] = 1;
  }));
  // Garbage in the padding must not matter either.
  mask.forEach((m, i) => {
    if (!m) data.fill(7, i * I, (i + 1) * I);
  });
  return { x: tf.tensor3d(data, [lengths.length, T, I]), mask: tf.tensor2d(mask, [lengths.length, T]), rows };
}

for (const reverse of [false, true]) {
  test(`a padded batch gives the per-sentence results (${reverse ? 'reverse' : 'forward'})`, async () => {
    await initEngine({ backend: 'wasm' });
    const lstm = new Lstm('enc', { inputSize: 3, hiddenSize: 5, projectionSize: 4, cellClip: 3, projClip: 3 });
    const lengths = [4, 2, 1];
    const { x, mask, rows } = inputs(lengths, 3, 4);
    const before = tf.memory().numTensors;
    const batched = tf.tidy(() => lstm.apply(x, mask, reverse).arraySync()) as number[][][];
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    rows.forEach((s, b) => {
      const single = tf.tidy(() => lstm.apply(tf.tensor3d([s]), tf.ones([1, s.length]) as tf.Tensor2D, reverse).arraySync())[0] as number[][];
      single.forEach((v, t) => v.forEach((y, k) => assert.ok(Math.abs(y - batched[b][t][k]) < 1e-5, `b${b} t${t} k${k}`)));
      for (let t = s.length; t < 4; t++) assert.ok(batched[b][t].every((y) => y === 0), 'padding outputs are zero');
    });
    assert.equal(batched[0][0].length, 4);
    lstm.dispose();
    x.dispose();
    mask.dispose();
  });
}

test('weights are named after the LSTM and shape-checked on setWeights', async () => {
  await initEngine({ backend: 'wasm' });
  const lstm = new Lstm('task/lstm', { inputSize: 3, hiddenSize: 5 });
  assert.deepEqual(Object.keys(lstm.getWeights()).sort(), ['task/lstm/bias', 'task/lstm/input_kernel', 'task/lstm/recurrent_kernel']);
  assert.equal(lstm.outputSize, 5);
  const wrong = { ...lstm.getWeights(), 'task/lstm/bias': tf.zeros([7]) };
  assert.throws(() => lstm.setWeights(wrong, 'model/weights.json'), /model\/weights.json: weight "task\/lstm\/bias" has shape \[7\]/);
  wrong['task/lstm/bias'].dispose();
  lstm.dispose();
});

test('LSTM gradients match finite differences, including through padding', async () => {
  await initEngine({ backend: 'wasm' });
  const lstm = new Lstm('l', { inputSize: 3, hiddenSize: 4, projectionSize: 3, cellClip: 10, projClip: 10 });
  const { x, mask } = inputs([3, 2], 3, 3);
  const w = tf.tensor3d(Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => Math.sin(i + 0.5)), [2, 3, 3]);
  for (const reverse of [false, true]) {
    const result = checkGradients(() => tf.sum(tf.mul(lstm.apply(x, mask, reverse), w)) as tf.Scalar, lstm.variables, {
      coordinates: 6,
      random: seededRandom(reverse ? 2 : 1),
    });
    assert.ok(result.failureRate(0.03) <= 0.1, `relative errors ${result.errors.map((e) => e.toFixed(3))}`);
  }
  lstm.dispose();
  [x, mask, w].forEach((t) => t.dispose());
});

// The fused inference sequence (engine/lstmSequenceKernel.ts) must compute what the differentiable ops compute: on
// wasm (in C when the BLAS addon is built, else JS around wasm's kernels), wasm with the JS loop, and cpu.
for (const backend of ['wasm', 'wasm-js-loop', 'cpu'] as const) {
  test(`inference with the fused sequence equals the training ops (${backend}; projection, clipping, padding, both directions)`, async (t) => {
    await initEngine({ backend: backend === 'cpu' ? 'cpu' : 'wasm' });
    setNativeLstmSequence(backend !== 'wasm-js-loop');
    t.after(() => setNativeLstmSequence(true));
    for (const options of [
      { inputSize: 3, hiddenSize: 5, projectionSize: 4, cellClip: 0.5, projClip: 0.3 },
      { inputSize: 6, hiddenSize: 8 },
    ]) {
      const lstm = new Lstm('enc', options);
      // Larger weights than the initialisation, so that the clips and the saturated gates are reached.
      lstm.setWeights(tf.tidy(() => Object.fromEntries(Object.entries(lstm.getWeights()).map(([k, v]) => [k, tf.mul(v, 3)]))));
      const { x, mask } = inputs([5, 3, 1], options.inputSize, 5);
      for (const reverse of [false, true]) {
        const before = tf.memory().numTensors;
        const buffers = tf.backend().numDataIds(); // also counts the kernel's own scratch buffers
        const fused = tf.tidy(() => lstm.apply(x, mask, reverse, false).arraySync()) as number[][][];
        assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
        assert.equal(tf.backend().numDataIds(), buffers, 'no backend buffers leaked');
        const reference = tf.tidy(() => lstm.apply(x, mask, reverse, true).arraySync()) as number[][][];
        const worst = Math.max(...fused.flat(2).map((y, i) => Math.abs(y - reference.flat(2)[i])));
        assert.ok(worst < 1e-5, `largest difference ${worst}`);
        assert.ok(fused.flat(2).some((y) => Math.abs(y) > 0.1), 'not all zero');
      }
      tf.dispose([x, mask]);
      lstm.dispose();
    }
  });
}

// Training through the BLAS addon's fused op (engine/lstmTrainingKernel.ts) must give the outputs and gradients of
// the differentiable ops (applySteps), for every weight and the inputs, with projection, clipping and padding.
test('training with the fused op (BLAS addon) gives the outputs and gradients of the tfjs ops', async (t) => {
  const info = await initEngine({ backend: 'wasm' });
  if (!info.blas) return t.skip('BLAS addon not built');
  t.after(() => setNativeLstmSequence(true));
  for (const options of [
    { inputSize: 3, hiddenSize: 5, projectionSize: 4, cellClip: 0.5, projClip: 0.3 },
    { inputSize: 6, hiddenSize: 8 },
    { inputSize: 7, hiddenSize: 16, projectionSize: 8, cellClip: 3, projClip: 3 },
  ]) {
    const lstm = new Lstm('enc', options);
    lstm.setWeights(tf.tidy(() => Object.fromEntries(Object.entries(lstm.getWeights()).map(([k, v]) => [k, tf.mul(v, 3)]))));
    const { x, mask } = inputs([5, 3, 1, 4], options.inputSize, 5);
    const w = tf.tidy(() => tf.randomNormal([4, 5, lstm.outputSize], 0, 1, 'float32', 7));
    for (const reverse of [false, true]) {
      const run = (fused: boolean) => {
        setNativeLstmSequence(fused);
        return tf.tidy(() => {
          const f = () => tf.sum(tf.mul(lstm.apply(x, mask, reverse, true), w)) as tf.Scalar;
          const { value, grads } = tf.variableGrads(f, lstm.variables);
          const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(lstm.apply(input as tf.Tensor3D, mask, reverse, true), w)))(x);
          return { loss: value.dataSync()[0], grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, Array.from(g.dataSync())])), dx: Array.from(dx.dataSync()) };
        });
      };
      const before = tf.memory().numTensors;
      const fused = run(true);
      assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
      const reference = run(false);
      const label = `${JSON.stringify(options)} reverse=${reverse}`;
      assert.ok(Math.abs(fused.loss - reference.loss) < 1e-4 * Math.max(1, Math.abs(reference.loss)), `${label}: loss ${fused.loss} vs ${reference.loss}`);
      for (const name of Object.keys(reference.grads)) {
        const worst = Math.max(...reference.grads[name].map((g, i) => Math.abs(g - fused.grads[name][i])));
        const scale = Math.max(1, ...reference.grads[name].map(Math.abs));
        assert.ok(worst < 1e-4 * scale, `${label}: d/d ${name} differs by ${worst}`);
        assert.ok(reference.grads[name].some((g) => Math.abs(g) > 1e-3), `${label}: d/d ${name} not all zero`);
      }
      const worstDx = Math.max(...reference.dx.map((g, i) => Math.abs(g - fused.dx[i])));
      assert.ok(worstDx < 1e-4 * Math.max(1, ...reference.dx.map(Math.abs)), `${label}: d/d inputs differs by ${worstDx}`);
    }
    tf.dispose([x, mask, w]);
    lstm.dispose();
  }
});
