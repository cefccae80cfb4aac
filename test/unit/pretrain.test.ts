// LM pre-training: a tiny run lowers the perplexity, writes a loadable model folder, checkpoints and resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../server/src/engine/backend';
import { TINY_CONFIG } from '../../server/src/model/config';
import { loadBiLMDirectory } from '../../server/src/model/bilmDirectory';
import { CharVocab, saveVocabs, VocabCounter, WordVocab } from '../../server/src/model/vocab';
import { pretrain, type PretrainOptions } from '../../server/src/train/pretrain';

const text = [
  'the patient received clonidine and naloxone .',
  'naloxone reverses the effect of clonidine .',
  'the effect of the drug was reversed .',
  'blood pressure fell after clonidine .',
].map((s) => s.split(' '));

function setup(): { dir: string; options: (over: Partial<PretrainOptions>) => PretrainOptions } {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-pretrain-'));
  const counter = new VocabCounter();
  text.forEach((s) => counter.add(s));
  saveVocabs(dir, WordVocab.build(counter.words, 100, 1), CharVocab.build(counter.chars, 1));
  const config = { ...structuredClone(TINY_CONFIG), softmax: { kind: 'full' as const, negatives: 8 } };
  return {
    dir,
    options: (over) => ({
      train: text,
      heldout: text, // the test measures fitting, so it evaluates on the training text itself
      vocabDir: dir,
      config,
      outDir: join(dir, 'model'),
      epochs: 12,
      batchTokens: 200,
      lr: 0.03,
      clipNorm: 5,
      checkpointEveryMinutes: 60,
      resume: false,
      seed: 1,
      provenance: { test: true },
      ...over,
    }),
  };
}

test('a tiny pre-training run lowers the perplexity and writes a loadable BiLM folder', async () => {
  await initEngine({ backend: 'wasm' });
  const { dir, options } = setup();
  try {
    const before = tf.memory().numTensors;
    const events: string[] = [];
    const result = await pretrain(options({}), (p) => events.push(p.event));
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    assert.equal(result.perplexities.length, 12);
    const [first, last] = [result.perplexities[0], result.perplexities[11]];
    assert.ok(last < first * 0.8, `perplexity ${first} -> ${last}`);
    assert.ok(events.includes('epoch') && events.at(-1) === 'done');
    const out = join(dir, 'model');
    for (const f of ['config.json', 'words.txt', 'chars.txt', 'weights.bin', 'weights.json', 'checkpoint/state.json']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.kind, 'bilm');
    assert.equal(config.provenance.heldoutPerplexity.length, 12);
    const { bilm, words } = loadBiLMDirectory(out);
    assert.equal(words.size, 3 + new Set(text.flat()).size);
    const layers = bilm.layers({ words: [text[0]] }, false);
    assert.deepEqual(layers[2].shape, [1, 7, 2 * TINY_CONFIG.projectionDim]);
    layers.forEach((l) => l.dispose());
    bilm.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--max-minutes stops with a checkpoint; --resume continues from it to the same end state', async () => {
  await initEngine({ backend: 'wasm' });
  const { dir, options } = setup();
  try {
    const stopped = await pretrain(options({ epochs: 4, maxMinutes: 0 }), () => {});
    assert.ok(stopped.stoppedEarly);
    assert.equal(stopped.steps, 0);
    assert.ok(existsSync(join(dir, 'model', 'weights.json')), 'a stopped run still writes the model folder');
    const state = () => JSON.parse(readFileSync(join(dir, 'model', 'checkpoint', 'state.json'), 'utf8'));
    const partial = await pretrain(options({ epochs: 2 }), () => {});
    assert.equal(state().epoch, 2);
    const resumed = await pretrain(options({ epochs: 4, resume: true }), () => {});
    assert.equal(state().epoch, 4);
    assert.equal(resumed.steps, partial.steps * 2, 'resumed where it stopped');
    assert.equal(resumed.perplexities.length, 4);
    assert.ok(existsSync(join(dir, 'model', 'checkpoint', 'optimizer.json')), 'Adam state is checkpointed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a data-parallel step (main thread + 1 worker) equals the single-thread step', async () => {
  await initEngine({ backend: 'wasm' });
  const { dir } = setup();
  try {
    const { LanguageModel, trainStep } = await import('../../server/src/train/languageModel');
    const { DataParallel, splitByTokens } = await import('../../server/src/train/dataParallel');
    const { loadVocabs } = await import('../../server/src/model/vocab');
    const { words, chars } = loadVocabs(dir);
    const config = { ...structuredClone(TINY_CONFIG), softmax: { kind: 'full' as const, negatives: 8 } };
    const single = new LanguageModel(config, chars, words);
    const parallelLm = new LanguageModel(config, chars, words);
    parallelLm.bilm.setWeights(single.bilm.getWeights());
    const dp = await DataParallel.start(1, { config, vocabDir: dir, seed: 1 }, parallelLm);
    try {
      const [o1, o2] = [tf.train.sgd(0.5), tf.train.sgd(0.5)];
      const l1 = trainStep(single, o1, text, 1e9);
      const l2 = await dp.step(parallelLm, o2, text, 1e9);
      assert.ok(Math.abs(l1 - l2) < 1e-4, `loss ${l1} vs ${l2}`);
      const a = single.bilm.getWeights();
      const b = parallelLm.bilm.getWeights();
      for (const name of Object.keys(a)) {
        const [x, y] = [a[name].dataSync(), b[name].dataSync()];
        x.forEach((v, i) => assert.ok(Math.abs(v - y[i]) < 1e-4, `${name}[${i}]: ${v} vs ${y[i]}`));
      }
      o1.dispose();
      o2.dispose();
    } finally {
      await dp.stop();
      single.dispose();
      parallelLm.dispose();
    }
    const shards = splitByTokens(text, 3);
    assert.equal(shards.flat().length, text.length);
    assert.ok(shards.every((s) => s.length > 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the LM softmax: chunked evaluation equals the full softmax; the sampled loss is near it with all words sampled', async () => {
  await initEngine({ backend: 'wasm' });
  const { LmSoftmax } = await import('../../server/src/model/lmSoftmax');
  const { seededRandom } = await import('../../server/src/model/batching');
  const sm = new LmSoftmax('s', 50, 6, seededRandom(4));
  const h = tf.tidy(() => tf.mul(tf.randomNormal([37, 6], 0, 1, 'float32', 7), 2) as tf.Tensor2D);
  const targets = Int32Array.from({ length: 37 }, (_, i) => (i * 13) % 50);
  const full = tf.tidy(() => sm.fullLoss(h, targets).dataSync()[0]);
  const chunked = sm.evalNll(h, targets, 8) / 37;
  assert.ok(Math.abs(full - chunked) < 1e-4, `${full} vs ${chunked}`);
  // With many more samples than words, the corrected sampled loss approaches the exact one.
  const sampled = tf.tidy(() => sm.sampledLoss(h, targets, 20000).dataSync()[0]);
  assert.ok(Math.abs(sampled - full) < 0.25 * full, `sampled ${sampled} vs full ${full}`);
  h.dispose();
  sm.dispose();
});
