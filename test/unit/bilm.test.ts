// The BiLM: L+1 layers of [B, T, 2P], layer 0 is the token representation twice, padding does not change real
// tokens, a word's vector does not depend on the words computed with it, the inference cache gives the
// training-path values, and nothing leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { BiLM } from '../../server/src/model/bilm';
import { parseRepresentationConfig, SMALL_CONFIG, TINY_CONFIG } from '../../server/src/model/config';
import { makeWordBatch } from '../../server/src/model/tokenEncoder';
import { CharVocab, VocabCounter } from '../../server/src/model/vocab';
import { assertClose } from './helpers/close';

const sentences = [
  ['Naloxone', 'reverses', 'the', 'effect', 'of', 'clonidine', '.'],
  ['Clonidine', 'lowers', 'blood', 'pressure'],
  ['the', 'the', 'the'],
];

function model(): BiLM {
  const counter = new VocabCounter();
  sentences.forEach((s) => counter.add(s));
  return new BiLM(structuredClone(TINY_CONFIG), CharVocab.build(counter.chars, 1));
}


test('layers: L+1 tensors [B, T, 2P]; layer 0 is the token vector twice; zero at padding', async () => {
  await initEngine({ backend: 'wasm' });
  const bilm = model();
  const P = TINY_CONFIG.projectionDim;
  const before = tf.memory().numTensors;
  const { layers, mask } = bilm.apply({ words: sentences }, false);
  assert.equal(layers.length, TINY_CONFIG.lstm.layers + 1);
  for (const l of layers) assert.deepEqual(l.shape, [3, 7, 2 * P]);
  assert.deepEqual(mask.arraySync()[1], [1, 1, 1, 1, 0, 0, 0]);
  const l0 = layers[0].arraySync() as number[][][];
  assertClose(l0[0][2].slice(0, P), l0[0][2].slice(P), 'token half == copy half');
  assertClose(l0[0][2], l0[2][0], 'same word, same token vector ("the")');
  for (const l of layers) assert.ok((l.arraySync() as number[][][])[1][5].every((v) => v === 0), 'padding is zero');
  layers.forEach((l) => l.dispose());
  mask.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  bilm.dispose();
});

test('a sentence alone gives the same layers as inside a padded batch; cache == training path without dropout', async () => {
  await initEngine({ backend: 'wasm' });
  const bilm = model();
  const batched = bilm.layers({ words: sentences }, false).map((l) => l.arraySync() as number[][][]);
  const alone = bilm.layers({ words: [sentences[1]] }, false).map((l) => l.arraySync() as number[][][]);
  // TINY_CONFIG has dropout 0, so training mode differs only by bypassing the token cache.
  const training = bilm.layers({ words: [sentences[1]] }, true).map((l) => l.arraySync() as number[][][]);
  for (let l = 0; l < batched.length; l++) {
    for (let t = 0; t < 4; t++) {
      assertClose(alone[l][0][t], batched[l][1][t], `layer ${l} token ${t}`, 1e-4);
      assertClose(alone[l][0][t], training[l][0][t], `cache, layer ${l} token ${t}`, 1e-4);
    }
  }
  assert.ok(bilm.encoder.cacheSize > 0);
  bilm.dispose();
});

test("a word's token vector depends on its spelling only, not on the words computed with it", async () => {
  await initEngine({ backend: 'wasm' });
  const bilm = model();
  const vectorsOf = (words: string[]) => {
    const t = bilm.encoder.encodeTypes(words);
    const rows = t.arraySync() as number[][];
    t.dispose();
    return rows;
  };
  const [ofAlone] = vectorsOf(['of']);
  const [, ofBesideLong] = vectorsOf(['dihydroxyphenylalanine', 'of']);
  // Padding 'of' to the long word's 20 char positions (TINY_CONFIG's cut) used to add windows of padding to its max-pool.
  assertClose(ofBesideLong, ofAlone, "'of' beside a long word == 'of' alone", 1e-5);
  const [, theInBatch] = vectorsOf(['Naloxone', 'the', 'clonidine', 'pressure']);
  assertClose(theInBatch, vectorsOf(['the'])[0], "'the' in a batch == 'the' alone", 1e-5);
  bilm.dispose();
});

test('maskCharPadding: on in the presets, off for configs written before it (their weights learnt the padding)', () => {
  assert.equal(TINY_CONFIG.maskCharPadding, true);
  assert.equal(parseRepresentationConfig('small', 'preset').maskCharPadding, true);
  const { maskCharPadding: _, ...older } = SMALL_CONFIG;
  assert.equal(parseRepresentationConfig(JSON.parse(JSON.stringify(older)), 'old.json').maskCharPadding, false);
  assert.throws(() => parseRepresentationConfig({ ...older, maskCharPadding: 'yes' }, 'bad.json'), /bad\.json: "maskCharPadding" must be true or false/);
  // Without the mask, the char ids carry no lengths: the char-CNN max-pools over the padding as before.
  const counter = new VocabCounter();
  counter.add(['of', 'dihydroxyphenylalanine']);
  const unmasked = new BiLM(parseRepresentationConfig({ ...structuredClone(TINY_CONFIG), maskCharPadding: false }, 'x'), CharVocab.build(counter.chars, 1));
  assert.equal(unmasked.encoder.charIds(['of', 'dihydroxyphenylalanine']).lengths, undefined);
  const masked = model();
  assert.deepEqual(Array.from(masked.encoder.charIds(['of', 'dihydroxyphenylalanine']).lengths ?? []), [4, 20]); // TINY_CONFIG cuts words at 20 chars
  unmasked.dispose();
  masked.dispose();
});

test('word batches dedupe word types and point padding at a zero row', () => {
  const wb = makeWordBatch([['a', 'b', 'a'], ['b']]);
  assert.deepEqual(wb.types, ['a', 'b']);
  assert.deepEqual(Array.from(wb.typeIndex), [0, 1, 0, 1, 2, 2]);
  assert.deepEqual(Array.from(wb.mask), [1, 1, 1, 1, 0, 0]);
});

test('a training step frees every intermediate tensor', async () => {
  await initEngine({ backend: 'wasm' });
  const bilm = model();
  const optimizer = tf.train.adam(0.01);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.square(bilm.layers({ words: sentences }, true)[2]))) as tf.Scalar, bilm.variables);
    optimizer.applyGradients(bilm.variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
  };
  step(); // the optimizer creates its moments once
  const before = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, before);
  optimizer.dispose();
  bilm.dispose();
});
