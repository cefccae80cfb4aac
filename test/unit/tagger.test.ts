import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { evaluateModel } from '../../server/src/model/evaluateModel';
import { anchorDistance, DEFAULT_FINETUNE, finetune, trainStep } from '../../server/src/train/finetune';
import { TaggerModel, taggerConfig, withEntityTypes, withTaskWords } from '../../server/src/model/tagger';
import { TINY_DATA, tinyModel } from './helpers/tinyTagger';
import { BilmFeatureCache } from '../../server/src/train/featureCache';

test('a tiny model overfits a tiny dataset to strict span F1 = 1.0', async () => {
  await initEngine({ backend: 'cpu' });
  const model = tinyModel();
  const events: string[] = [];
  const result = await finetune(
    model,
    TINY_DATA,
    TINY_DATA,
    { ...DEFAULT_FINETUNE, epochs: 40, lr: 0.03, batchTokens: 64, freezeBilm: false, bilmLrFactor: 1, patience: 100 },
    { onEvent: (e) => { events.push(e.event); if (process.env.DEBUG_TRAIN && e.event === 'epoch') console.log(JSON.stringify(e)); } },
  );
  const evaluation = evaluateModel(model, TINY_DATA);
  assert.equal(evaluation.overall.f1, 1, `F1 ${evaluation.overall.f1} after ${result.epochs} epochs`);
  assert.equal(result.bestDev?.overall.f1, 1);
  assert.equal(events[0], 'start');
  assert.equal(events[events.length - 1], 'done');
  assert.ok(events.includes('epoch') && events.includes('progress'));
  model.dispose();
});

test('a training step and a prediction leak no tensors (frozen and unfrozen BiLM)', async () => {
  await initEngine({ backend: 'cpu' });
  const model = tinyModel();
  const optimizer = tf.train.adam(0.01);
  const bilmOptimizer = tf.train.adam(0.01);
  const words = TINY_DATA.slice(0, 3).map((s) => s.tokens);
  const tags = TINY_DATA.slice(0, 3).map((s) => model.tagSet.encode(s.tags));
  // The first step creates the optimizer's slots; count after it.
  trainStep(model, words, tags, { clipNorm: 5, freezeBilm: false }, optimizer, bilmOptimizer);
  const before = tf.memory().numTensors;
  trainStep(model, words, tags, { clipNorm: 5, freezeBilm: false }, optimizer, bilmOptimizer);
  trainStep(model, words, tags, { clipNorm: 5, freezeBilm: true }, optimizer, undefined);
  model.predict(words);
  model.predictTags(words);
  assert.equal(tf.memory().numTensors, before);
  optimizer.dispose();
  bilmOptimizer.dispose();
  model.dispose();
});

test('the anchor (L2 toward the starting weights) keeps the task layers nearer where they started, and its term is their squared distance', async () => {
  await initEngine({ backend: 'cpu' });
  const words = TINY_DATA.map((s) => s.tokens);
  const moved = (anchor: number) => {
    const model = tinyModel();
    const tags = TINY_DATA.map((s) => model.tagSet.encode(s.tags));
    const initial = model.taskVariables.map((v) => tf.clone(v));
    const optimizer = tf.train.adam(0.05);
    for (let step = 0; step < 20; step++) trainStep(model, words, tags, { clipNorm: 5, freezeBilm: true, anchor }, optimizer, undefined, undefined, { initial });
    const distance = anchorDistance(model.taskVariables, initial);
    const value = distance.dataSync()[0];
    // The same sum by hand, from the weights' values.
    const byHand = model.taskVariables.reduce((sum, v, k) => {
      const [a, b] = [Array.from(v.dataSync()), initial[k].dataSync()];
      return sum + a.reduce((acc, x, i) => acc + (x - b[i]) ** 2, 0);
    }, 0);
    assert.ok(Math.abs(value - byHand) < 1e-3 * Math.max(1, byHand), `${value} vs ${byHand}`);
    tf.dispose([distance, ...initial]);
    optimizer.dispose();
    model.dispose();
    return value;
  };
  const free = moved(0);
  const anchored = moved(10);
  assert.ok(free > 0);
  assert.ok(anchored < free / 2, `anchored ${anchored}, free ${free}`);
});

test('inference after training steps and a weight restore uses no word vectors of older weights', async () => {
  await initEngine({ backend: 'cpu' });
  const model = tinyModel();
  const words = TINY_DATA.map((s) => s.tokens);
  const tags = TINY_DATA.map((s) => model.tagSet.encode(s.tags));
  const emissions = (m: typeof model): number[][][] =>
    tf.tidy(() => m.emissions(words, m.represent(words, false), false).arraySync() as number[][][]);
  const initial = model.getWeights();
  const saved = Object.fromEntries(Object.entries(initial).map(([k, v]) => [k, v.clone()]));
  const before = emissions(model); // fills the inference caches of both char-CNNs
  const optimizer = tf.train.adam(0.05);
  const bilmOptimizer = tf.train.adam(0.05);
  for (let i = 0; i < 3; i++) trainStep(model, words, tags, { clipNorm: 5, freezeBilm: false }, optimizer, bilmOptimizer);
  // A model built afresh with the trained weights has empty caches: the trained model must give the same emissions.
  const reference = tinyModel();
  reference.setWeights(model.getWeights());
  const after = emissions(model);
  assert.notDeepEqual(after, before, 'training changed the emissions');
  assert.deepEqual(after, emissions(reference));
  // Restoring the old weights (as early stopping does) brings the old emissions back, not cached newer ones.
  model.setWeights(saved);
  assert.deepEqual(emissions(model), before);
  tf.dispose(Object.values(saved));
  optimizer.dispose();
  bilmOptimizer.dispose();
  model.dispose();
  reference.dispose();
});

test('the frozen-BiLM feature cache returns exactly the BiLM layers and mask of any batch', async () => {
  await initEngine({ backend: 'cpu' });
  const model = tinyModel();
  const words = TINY_DATA.map((s) => s.tokens);
  const cache = (await BilmFeatureCache.build(words, model, { batchTokens: 16 }))!;
  const indices = [4, 1, 3];
  tf.tidy(() => {
    const cached = cache.representations(indices);
    const direct = model.represent(indices.map((i) => words[i]), false);
    assert.deepEqual(cached.mask.arraySync(), direct.mask.arraySync());
    cached.layers.forEach((layer, l) => {
      const a = layer.dataSync();
      const b = direct.layers[l].dataSync();
      assert.equal(a.length, b.length);
      for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) < 1e-6, `layer ${l} value ${k}`);
    });
  });
  const losses: number[] = [];
  await finetune(model, TINY_DATA, TINY_DATA, { ...DEFAULT_FINETUNE, epochs: 8, lr: 0.03, batchTokens: 64, patience: 100 }, {
    onEvent: (e) => e.event === 'epoch' && losses.push(e.loss),
  });
  assert.ok(losses[losses.length - 1] < losses[0] * 0.75, `frozen-BiLM training lowers the loss: ${losses.map((x) => x.toFixed(2))}`);
  model.dispose();
});

test('withEntityTypes adds tags and keeps the emissions of the old ones', async () => {
  await initEngine({ backend: 'cpu' });
  const model = tinyModel();
  const words = TINY_DATA.map((s) => s.tokens);
  const before = tf.tidy(() => model.emissions(words, model.represent(words, false), false).arraySync());
  const transitions = model.crf.transitions.arraySync() as number[][];
  const expanded = withEntityTypes(model, ['Gene', 'Chemical']);
  assert.deepEqual(expanded.tagSet.types, ['Chemical', 'Disease', 'Gene']);
  const after = tf.tidy(() => expanded.emissions(words, expanded.represent(words, false), false).arraySync());
  before.forEach((sentence, b) =>
    sentence.forEach((token, t) => token.forEach((v, j) => assert.ok(Math.abs(after[b][t][j] - v) < 1e-5))),
  );
  assert.equal(after[0][0].length, 7);
  const expandedTransitions = expanded.crf.transitions.arraySync() as number[][];
  transitions.forEach((row, i) => row.forEach((v, j) => assert.equal(expandedTransitions[i][j], v)));
  expanded.dispose();
});

test('withTaskWords gives new words embeddings of their own, starting as the unknown word\'s: the model tags as before, then training moves them apart', async () => {
  await initEngine({ backend: 'cpu' });
  const tiny = tinyModel();
  const config = taggerConfig({ ...tiny.config, encoder: { ...tiny.config.encoder, wordEmbeddingDim: 4 } });
  const model = new TaggerModel(tiny.bilm, tiny.tagSet, config, ['<unk>', 'aspirin', 'asthma']);
  const words = TINY_DATA.map((s) => s.tokens);
  const before = tf.tidy(() => model.emissions(words, model.represent(words, false), false).arraySync());
  const oldRows = model.encoder.wordEmbedding!.arraySync() as number[][];
  const expanded = withTaskWords(model, ['Cisplatin', 'aspirin', 'cisplatin', 'Valproic']);
  assert.deepEqual(expanded.words, ['<unk>', 'aspirin', 'asthma', 'cisplatin', 'valproic']);
  const after = tf.tidy(() => expanded.emissions(words, expanded.represent(words, false), false).arraySync());
  before.forEach((sentence, b) => sentence.forEach((token, t) => token.forEach((v, j) => assert.ok(Math.abs(after[b][t][j] - v) < 1e-5))));
  const rows = () => expanded.encoder.wordEmbedding!.arraySync() as number[][];
  assert.deepEqual(rows().slice(0, 3), oldRows);
  assert.deepEqual(rows()[3], rows()[0]);
  await finetune(expanded, TINY_DATA, [], { ...DEFAULT_FINETUNE, epochs: 3, lr: 0.05, batchTokens: 64 });
  assert.notDeepEqual(rows()[3], rows()[0], 'cisplatin learnt an embedding of its own');
  expanded.dispose();
  const without = tinyModel();
  assert.equal(withTaskWords(without, ['cisplatin']), without, 'no task word embedding: nothing to add to');
  without.dispose();
});
