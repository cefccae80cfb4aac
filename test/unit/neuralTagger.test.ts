import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { saveModelDir } from '../../server/src/model/modelDir';
import { loadTagger } from '../../server/src/tagging/load';
import { tagDocument } from '../../server/src/tagging/pipeline';
import { DEFAULT_FINETUNE, finetune } from '../../server/src/train/finetune';
import { TINY_DATA, tinyModel } from './helpers/tinyTagger';

test('a trained neural model dir tags text with exact offsets, CRF confidences and runner-ups, and leaks no tensors', async () => {
  await initEngine({ backend: 'cpu' });
  const root = mkdtempSync(join(tmpdir(), 'bioner-neural-'));
  const dir = join(root, 'model');
  const model = tinyModel();
  await finetune(model, TINY_DATA, TINY_DATA, { ...DEFAULT_FINETUNE, epochs: 40, lr: 0.03, batchTokens: 64, freezeBilm: false, bilmLrFactor: 1, patience: 100 });
  await saveModelDir(dir, model, { name: 'tiny-neural' });
  model.dispose();

  const tagger = await loadTagger(dir);
  assert.equal(tagger.modelName, 'tiny-neural');
  assert.deepEqual(tagger.labels, ['Chemical', 'Disease']);
  const sentences = ['  Cisplatin causes renal failure.', 'Aspirin induced asthma in two patients.', '', 'The patients recovered.'];
  await tagger.tagSentences(sentences); // warm-up: fills the token cache (plain arrays, not tensors)
  const baseline = tf.memory().numTensors;
  const tagged = await tagger.tagSentences(sentences);
  assert.equal(tf.memory().numTensors, baseline, 'no tensor leak after tagging');
  assert.equal(tagged.length, sentences.length);
  for (const [i, entities] of tagged.entries()) {
    for (const e of entities) {
      assert.equal(sentences[i].slice(e.start, e.end), e.text);
      assert.ok(e.confidence > 0 && e.confidence <= 1, `confidence ${e.confidence}`);
      assert.ok(e.runnerUp && e.runnerUp.label !== e.label && e.runnerUp.confidence < e.confidence);
    }
  }
  const labelled = (i: number) => tagged[i].map((e) => `${e.text}/${e.label}`);
  assert.deepEqual(labelled(0), ['Cisplatin/Chemical', 'renal failure/Disease']);
  assert.deepEqual(labelled(1), ['Aspirin/Chemical', 'asthma/Disease']);
  assert.deepEqual(tagged[2], []);

  // Whole texts: offsets are shifted into the text.
  const text = 'Intro.\nAspirin induced asthma in two patients. Cisplatin causes renal failure.';
  for (const e of (await tagDocument(tagger, text)).entities) assert.equal(text.slice(e.start, e.end), e.text);
  tagger.dispose();
  rmSync(root, { recursive: true });
});
