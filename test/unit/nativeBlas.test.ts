// The BLAS addon (server/native) and the wasm BatchMatMul that runs on it: same products as the CPU backend for
// every transpose and batch-broadcast case, shapes it does not take go to the original kernel, a bad call throws
// instead of writing outside its arrays, and it can be turned off. Skipped only on a machine without OpenBLAS's
// headers; where they are (CI: scripts/setup-native.sh), a missing addon is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { addonCandidates, blasActive, loadBlasAddon, lstmSavedWidth, setNativeLstmSequence } from '../../server/src/engine/nativeBlas';
import { seededRandom } from '../../server/src/model/batching';
import { loadTagger } from '../../server/src/tagging/load';
import { assertClose } from './helpers/close';

const openblasInstalled = ['/usr/include/cblas.h', '/usr/include/x86_64-linux-gnu/cblas.h'].some(existsSync);
const skip = openblasInstalled ? false : 'OpenBLAS headers not installed (scripts/setup-native.sh)';

function randomArray(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

test('the addon is built and the wasm engine runs its matMuls on it', { skip }, async () => {
  assert.ok(addonCandidates().some(existsSync), `no ${addonCandidates().join(' or ')}: run npm run build:native`);
  const info = await initEngine({ backend: 'wasm' });
  assert.match(info.blas?.library ?? '', /OpenBLAS/);
  assert.ok(blasActive());
});

test('BLAS matMul matches the CPU backend: transposes, batches, broadcasts, ranks, empty and large shapes', { skip }, async () => {
  // [a shape, b shape, transposeA, transposeB]
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[3, 4], [4, 5], false, false],
    [[4, 3], [4, 5], true, false],
    [[3, 4], [5, 4], false, true],
    [[4, 3], [5, 4], true, true],
    [[2, 3, 4], [2, 4, 5], false, false], // batch
    [[2, 4, 3], [2, 5, 4], true, true],
    [[1, 3, 4], [6, 4, 5], false, false], // a broadcast
    [[6, 3, 4], [1, 4, 5], false, false], // b broadcast
    [[3, 4], [2, 4, 5], false, false], // rank 2 x rank 3
    [[2, 2, 3, 4], [2, 2, 5, 4], false, true], // rank 4
    [[0, 4], [4, 5], false, false], // empty
    [[3, 0], [0, 5], false, false], // k = 0: zeros
    [[70, 130], [130, 257], false, false], // past the blocking sizes
  ];
  await initEngine({ backend: 'wasm' });
  const results = () =>
    cases.map(([sa, sb, ta, tb], i) =>
      tf.tidy(() => {
        const a = tf.tensor(randomArray(tf.util.sizeFromShape(sa), 10 + i), sa);
        const b = tf.tensor(randomArray(tf.util.sizeFromShape(sb), 50 + i), sb);
        const c = tf.matMul(a, b, ta, tb);
        return { shape: c.shape, values: Array.from(c.dataSync()) };
      }),
    );
  const wasm = results();
  await initEngine({ backend: 'cpu' });
  const cpu = results();
  await initEngine({ backend: 'wasm' });
  wasm.forEach((w, i) => {
    assert.deepEqual(w.shape, cpu[i].shape, `case ${i} shape`);
    assertClose(w.values, cpu[i].values, `case ${i}`, 1e-4);
  });
  // Not every call goes to BLAS: int32 operands and batch shapes that broadcast on both sides reach the original
  // kernel (which has no int32 matMul: its own message shows it was reached).
  assert.throws(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([1, 0, 0, 1], [2, 2], 'int32')), /non-float32/);
  const both = tf.tidy(() => tf.matMul(tf.ones([2, 1, 3, 4]), tf.ones([1, 5, 4, 2])).shape);
  assert.deepEqual(both, [2, 5, 3, 2]);
  assert.throws(() => tf.matMul(tf.ones([2, 3]), tf.ones([4, 2])), /inner shapes/i);
});

test('the addon refuses a call whose matrices do not fit in their arrays', { skip }, () => {
  const { addon } = loadBlasAddon({});
  assert.ok(addon);
  const a = new Float32Array(6);
  const b = new Float32Array(6);
  const c = new Float32Array(4);
  addon.sgemm(false, false, 2, 2, 3, a.fill(1), b.fill(2), c, 1, 0, 0, 0, 0);
  assert.deepEqual(Array.from(c), [6, 6, 6, 6]);
  assert.throws(() => addon.sgemm(false, false, 2, 3, 3, a, b, c, 1, 0, 0, 0, 0), RangeError); // C would need 6
  assert.throws(() => addon.sgemm(false, false, 2, 2, 3, a, b, c, 2, 6, 0, 4, 0), RangeError); // a 2nd A past the end
  assert.throws(() => addon.sgemm(false, false, -1, 2, 3, a, b, c, 1, 0, 0, 0, 0), RangeError);
  assert.throws(() => addon.sgemm(false, false, 2, 2, 3, a, new Float64Array(6) as never, c, 1, 0, 0, 0, 0), TypeError);
});

test('BIONER_BLAS=0 keeps the wasm matMul, and bioner info says which one runs', { skip }, () => {
  const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
  const on = spawnSync(process.execPath, [cli, 'info', '--json'], { encoding: 'utf8' });
  assert.equal(on.status, 0, on.stderr);
  assert.match(JSON.parse(on.stdout).matMul, /^BLAS \(OpenBLAS/);
  const off = spawnSync(process.execPath, [cli, 'info', '--json'], { encoding: 'utf8', env: { ...process.env, BIONER_BLAS: '0' } });
  assert.equal(off.status, 0, off.stderr);
  const info = JSON.parse(off.stdout);
  assert.equal(info.matMul, "wasm's own");
  assert.ok(info.skipped.some((n: string) => /BIONER_BLAS=0/.test(n)));
});

test('the addon LSTM saturates like the JS one: gates of +-1000 give exact 0/1, never NaN', { skip }, () => {
  const { addon } = loadBlasAddon({});
  assert.ok(addon);
  // H = R = 8 (wide enough for the vectorised loops), no projection, a zero recurrent kernel, two steps; gates
  // [i | f | o | g]: step 1 i = 1, f = 0, o = 1, g = 1 -> c = 1, h = tanh(1); step 2 i = 0, f = 0 -> c = 0, h = 0.
  const H = 8;
  const step = (i: number, f: number, o: number, g: number) => [i, f, o, g].flatMap((v) => new Array(H).fill(v));
  const xw = Float32Array.from([...step(1000, -1000, 1000, 1000), ...step(-1000, -1000, 1000, -1000)]);
  const out = new Float32Array(2 * H);
  addon.lstmSequence(xw, new Float32Array(H * 4 * H), null, null, 2, 1, false, 0, 0, out, null);
  assertClose(Array.from(out), [...new Array(H).fill(Math.tanh(1)), ...new Array(H).fill(0)], 'outputs', 1e-6);
  assert.throws(() => addon.lstmSequence(xw, new Float32Array(H * 4 * H), null, null, 2, 1, false, 0, 0, new Float32Array(3), null), RangeError);
  // The training functions check their buffers too: a saved buffer or a gradient too small is refused.
  const u = new Float32Array(H * 4 * H);
  const saved = new Float32Array(2 * lstmSavedWidth(H, H, false));
  assert.throws(() => addon.lstmSequence(xw, u, null, null, 2, 1, false, 0, 0, out, saved.subarray(1)), /saved has/);
  addon.lstmSequence(xw, u, null, null, 2, 1, false, 0, 0, out, saved);
  assertClose(Array.from(out), [...new Array(H).fill(Math.tanh(1)), ...new Array(H).fill(0)], 'training outputs', 1e-6);
  const grads = () => [new Float32Array(xw.length), new Float32Array(u.length)] as const;
  assert.throws(() => addon.lstmTrainBackward(xw, u, null, null, 2, 1, false, 0, 0, saved, out, grads()[0], grads()[1].subarray(1), null), /du has/);
  assert.throws(() => addon.lstmTrainBackward(xw, u, null, null, 2, 1, false, 0, 0, saved, out, grads()[0], grads()[1], new Float32Array(4)), TypeError);
});

test('the shipped model tags the same entities with the addon LSTM as with the JS loop', { skip }, async (t) => {
  const model = join(__dirname, '..', '..', 'models', 'default');
  const notes = join(__dirname, '..', '..', 'examples', 'notes');
  const text = readdirSync(notes).map((f) => readFileSync(join(notes, f), 'utf8')).join('\n');
  const sentences = text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim());
  const tag = async (native: boolean) => {
    setNativeLstmSequence(native);
    const tagger = await loadTagger(model);
    try {
      return (await tagger.tagSentences(sentences)).map((es) => es.map((e) => [e.start, e.end, e.label, e.confidence]));
    } finally {
      tagger.dispose();
    }
  };
  t.after(() => setNativeLstmSequence(true));
  const js = await tag(false);
  const native = await tag(true);
  assert.ok(js.flat().length > 10, 'the notes have entities');
  assert.deepEqual(native.map((es) => es.map((e) => e.slice(0, 3))), js.map((es) => es.map((e) => e.slice(0, 3))));
  assertClose(native.flat().map((e) => e[3] as number), js.flat().map((e) => e[3] as number), 'confidences', 1e-4);
});
