import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { BiLM } from '../../server/src/model/bilm';
import { TINY_CONFIG } from '../../server/src/model/config';
import { TagSet } from '../../server/src/model/labels';
import { TaggerModel, taggerConfig } from '../../server/src/model/tagger';
import { CharVocab, VocabCounter } from '../../server/src/model/vocab';
import { evaluateModel } from '../../server/src/model/evaluateModel';
import { DEFAULT_FINETUNE, finetune, trainStep } from '../../server/src/train/finetune';
import type { TaggedSentence } from '../../server/src/types';

export const TINY_DATA: TaggedSentence[] = [
  ['Aspirin induced asthma in two patients .', 'B-Chemical O B-Disease O O O O'],
  ['Cisplatin causes renal failure .', 'B-Chemical O B-Disease I-Disease O'],
  ['No asthma was seen with placebo .', 'O B-Disease O O O O O'],
  ['Renal failure after valproic acid .', 'B-Disease I-Disease O B-Chemical I-Chemical O'],
  ['The patients recovered .', 'O O O O'],
  ['Valproic acid and aspirin were stopped .', 'B-Chemical I-Chemical O B-Chemical O O O'],
].map(([text, tags]) => ({ tokens: text.split(' '), tags: tags.split(' ') }));

export function tinyModel(data = TINY_DATA): TaggerModel {
  const counter = new VocabCounter();
  for (const s of data) counter.add(s.tokens);
  const bilm = new BiLM(TINY_CONFIG, CharVocab.build(counter.chars, 1));
  const config = taggerConfig({ encoder: { hiddenSize: 16, dropout: 0, wordEmbeddingDim: 0 } });
  return new TaggerModel(bilm, TagSet.fromSentences(data), config);
}

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
