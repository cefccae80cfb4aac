// The engine: backend choice, the wasm kernel replacements and gradient overrides agree with the CPU backend, and
// model code frees every tensor it makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { UserError } from '../../server/src/errors';
import { seededRandom } from '../../server/src/model/batching';
import { assertClose } from './helpers/close';

/** Runs f on wasm and on cpu with the same inputs (plain arrays) and returns both results as flat arrays. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<{ wasm: number[][]; cpu: number[][] }> {
  const run = () => tf.tidy(() => {
    const out = f();
    return (Array.isArray(out) ? out : [out]).map((t) => Array.from(t.dataSync()));
  });
  await initEngine({ backend: 'wasm' });
  const wasm = run();
  await initEngine({ backend: 'cpu' });
  const cpu = run();
  await initEngine({ backend: 'wasm' });
  return { wasm, cpu };
}

function assertAllClose(wasm: number[][], cpu: number[][], tol: number): void {
  assert.equal(wasm.length, cpu.length);
  wasm.forEach((xs, i) => assertClose(xs, cpu[i], `output ${i}`, tol));
}

function randomArray(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

test('the default backend is wasm here (tfjs-node is not installed) and BIONER_BACKEND is checked', async () => {
  const saved = process.env.BIONER_BACKEND;
  try {
    delete process.env.BIONER_BACKEND;
    const info = await initEngine();
    assert.equal(info.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(info.threads, 1);
    process.env.BIONER_BACKEND = 'gpu';
    assert.throws(() => initEngine(), (e: unknown) => e instanceof UserError && /BIONER_BACKEND=gpu/.test((e as Error).message));
  } finally {
    if (saved === undefined) delete process.env.BIONER_BACKEND;
    else process.env.BIONER_BACKEND = saved;
  }
});

test('wasm Slice, split, unstack and clone give the same values as the CPU backend', async () => {
  const data = randomArray(4 * 5 * 6, 1);
  const { wasm, cpu } = await onBoth(() => {
    const x = tf.tensor3d(data, [4, 5, 6]);
    return [
      tf.slice(x, [1, 2, 3], [2, 3, 2]), // strided
      tf.slice(x, [1, 0, 0], [2, 5, 6]), // contiguous
      tf.slice(tf.reshape(x, [20, 6]), [3, 1], [5, 4]),
      ...tf.split(x, [1, 3, 2], 2),
      ...tf.unstack(x, 1),
      tf.clone(x),
    ];
  });
  assertAllClose(wasm, cpu, 0);
});

test('wasm GatherV2 (rows copied along axis 0, the original kernel otherwise) and Tanh (from Sigmoid) match the CPU backend', async () => {
  const table = randomArray(7 * 3 * 4, 5);
  const wide = randomArray(5 * 70, 6);
  const big = Float32Array.from(randomArray(3000, 7), (x) => 12 * x); // saturates: |x| up to 12
  const { wasm, cpu } = await onBoth(() => {
    const t = tf.tensor3d(table, [7, 3, 4]);
    const rows = tf.tensor1d([6, 0, 0, 3], 'int32');
    return [
      tf.gather(t, rows), // [4, 3, 4]: rows of 12 elements
      tf.gather(t, tf.tensor2d([[1, 2], [5, 4]], [2, 2], 'int32')), // [2, 2, 3, 4]
      tf.gather(tf.tensor2d(wide, [5, 70]), tf.tensor1d([4, 1], 'int32')), // rows of 70 (one subarray copy each)
      tf.gather(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), tf.tensor1d([1, 1, 0], 'int32')), // int32 table
      tf.gather(t, tf.tensor1d([2, 0], 'int32'), 1), // axis 1: the original kernel
      tf.gather(t, tf.tensor1d([], 'int32')),
      tf.tanh(tf.tensor1d(big)),
      tf.tanh(tf.tensor2d(table, [12, 7])),
    ];
  });
  assertAllClose(wasm.slice(0, 6), cpu.slice(0, 6), 0);
  assertAllClose(wasm.slice(6), cpu.slice(6), 1e-6);
  await initEngine({ backend: 'wasm' });
  assert.throws(() => tf.gather(tf.tensor2d([[1], [2]]), tf.tensor1d([2], 'int32')), /index value 2 is not in \[0, 1\]/);
});

test('matMul gradients (all transpose variants) and gather / max gradients match the CPU backend', async () => {
  const a = randomArray(3 * 4, 2);
  const b = randomArray(4 * 5, 3);
  const table = randomArray(6 * 3, 4);
  const { wasm, cpu } = await onBoth(() => {
    const A = tf.tensor2d(a, [3, 4]);
    const B = tf.tensor2d(b, [4, 5]);
    const w = tf.tensor2d(randomArray(15, 5), [3, 5]);
    const out: tf.Tensor[] = [];
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const x = ta ? tf.transpose(A) : A;
      const y = tb ? tf.transpose(B) : B;
      const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, ta, tb), w)))([x, y]);
      out.push(...g);
    }
    const T = tf.tensor2d(table, [6, 3]);
    const ids = tf.tensor1d([0, 2, 2, 5, 0], 'int32');
    out.push(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), tf.reshape(tf.range(0, 15), [5, 3]))))(T));
    out.push(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([2, 0, 2], 'int32'), 1), tf.reshape(tf.range(0, 18), [6, 3]))))(T));
    const M = tf.tensor3d([1, 5, 2, 7, 3, 3, 0, -1, 4, 2, 2, 9], [2, 3, 2]);
    out.push(tf.grad((m: tf.Tensor) => tf.sum(tf.mul(tf.max(m, 1), tf.tensor2d([1, 2, 3, 4], [2, 2]))))(M));
    out.push(tf.grad((m: tf.Tensor) => tf.sum(tf.logSumExp(m, 2)))(M));
    return out;
  });
  assertAllClose(wasm, cpu, 1e-4);
});

test('max gradient flows only to the maximum', async () => {
  await initEngine({ backend: 'wasm' });
  const g = tf.tidy(() => tf.grad((m: tf.Tensor) => tf.sum(tf.max(m, 1)))(tf.tensor2d([[1, 5, 2], [7, 1, 0]])).arraySync());
  assert.deepEqual(g, [[0, 1, 0], [1, 0, 0]]);
});

test('bioner info reports the backend, threads and versions; --model summarises a model folder', async () => {
  const { spawnSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
  const run = spawnSync(process.execPath, [cli, 'info', '--json', '--model', join(__dirname, '..', 'fixtures', 'models', 'lexicon')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const info = JSON.parse(run.stdout);
  assert.equal(info.backend, 'wasm');
  assert.equal(info.threads, 1);
  assert.equal(info.tfjs, tf.version_core);
  assert.equal(info.model.kind, 'lexicon');
  const missing = spawnSync(process.execPath, [cli, 'info', '--model', '/nonexistent-model'], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^bioner: \/nonexistent-model\/config.json: no model here \(config.json is missing\)/);
});
