import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync, statSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../server/src/engine/backend';
import { UserError } from '../../server/src/errors';
import { loadModelDir, saveModelDir } from '../../server/src/model/modelDir';
import { glorotUniform, ParamStore, withSavedValues } from '../../server/src/model/params';
import { TINY_DATA, tinyModel } from './helpers/tinyTagger';

async function savedTinyModel(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'bioner-modeldir-'));
  const dir = join(root, 'model');
  const model = tinyModel();
  await saveModelDir(dir, model, { name: 'tiny', provenance: { test: true }, metrics: { f1: 0.5 } });
  model.dispose();
  return dir;
}

function editConfig(dir: string, edit: (c: Record<string, any>) => void): void {
  const file = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  edit(config);
  writeFileSync(file, JSON.stringify(config));
}

test('save -> load gives identical emissions, entities and confidences', async () => {
  await initEngine({ backend: 'cpu' });
  const root = mkdtempSync(join(tmpdir(), 'bioner-modeldir-'));
  const dir = join(root, 'model');
  const model = tinyModel();
  const words = TINY_DATA.map((s) => s.tokens);
  const before = tf.tidy(() => model.emissions(words, model.represent(words, false), false).arraySync());
  const entities = model.predict(words);
  await saveModelDir(dir, model, { name: 'tiny' });
  model.dispose();
  const loaded = loadModelDir(dir);
  assert.equal(loaded.config.name, 'tiny');
  assert.deepEqual(loaded.config.labels.types, ['Chemical', 'Disease']);
  const after = tf.tidy(() => loaded.model.emissions(words, loaded.model.represent(words, false), false).arraySync());
  assert.deepEqual(after, before);
  assert.deepEqual(loaded.model.predict(words), entities);
  // Saving again over an existing model replaces it atomically and leaves no temp folders behind.
  await saveModelDir(dir, loaded.model, { name: 'tiny2' });
  assert.deepEqual(readdirSync(root), ['model']);
  assert.equal(loadModelDir(dir).config.name, 'tiny2');
  loaded.model.dispose();
  rmSync(root, { recursive: true });
});

test('loading refuses an unknown version, a wrong shape, truncated weights and a missing config', async () => {
  await initEngine({ backend: 'cpu' });
  const expectUserError = (dir: string, pattern: RegExp) =>
    assert.throws(() => loadModelDir(dir), (e: unknown) => e instanceof UserError && pattern.test(e.message), String(pattern));

  let dir = await savedTinyModel();
  editConfig(dir, (c) => (c.formatVersion = 99));
  expectUserError(dir, /config\.json: unsupported formatVersion 99/);

  dir = await savedTinyModel();
  editConfig(dir, (c) => (c.architecture.tagger.encoder.hiddenSize = 17));
  expectUserError(dir, /weights\.json: .*shape \[.*\] but the model expects/);

  dir = await savedTinyModel();
  editConfig(dir, (c) => (c.labels.types = ['Chemical', 'Disease', 'Gene']));
  expectUserError(dir, /does not match|shape/);

  dir = await savedTinyModel();
  truncateSync(join(dir, 'weights.bin'), statSync(join(dir, 'weights.bin')).size - 8);
  expectUserError(dir, /weights\.bin: .*truncated/);

  dir = await savedTinyModel();
  const manifest = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8'));
  manifest.file = '../../etc/passwd';
  writeFileSync(join(dir, 'weights.json'), JSON.stringify(manifest));
  expectUserError(dir, /outside the model directory/);

  expectUserError(join(dir, 'nowhere'), /config\.json: no model here \(config\.json is missing\)/);
});

test('saving refuses to replace a folder that is not a model', async () => {
  await initEngine({ backend: 'cpu' });
  const root = mkdtempSync(join(tmpdir(), 'bioner-modeldir-'));
  writeFileSync(join(root, 'notes.txt'), 'mine');
  const model = tinyModel();
  await assert.rejects(saveModelDir(root, model, { name: 'x' }), /not a model directory/);
  assert.ok(existsSync(join(root, 'notes.txt')));
  model.dispose();
});

test('config.json "calibration.temperature" is applied to confidences on load, and a bad one is refused', async () => {
  await initEngine({ backend: 'cpu' });
  const dir = await savedTinyModel();
  const words = TINY_DATA.map((s) => s.tokens);
  const plain = loadModelDir(dir);
  assert.equal(plain.model.temperature, 1);
  const before = plain.model.predict(words);
  plain.model.dispose();
  editConfig(dir, (c) => (c.calibration = { temperature: 3 }));
  const tempered = loadModelDir(dir);
  assert.equal(tempered.model.temperature, 3);
  const after = tempered.model.predict(words);
  tempered.model.dispose();
  assert.deepEqual(after.map((s) => s.map((x) => [x.first, x.last, x.label])), before.map((s) => s.map((x) => [x.first, x.last, x.label])));
  assert.ok(after.flat().some((x, i) => Math.abs(x.confidence - before.flat()[i].confidence) > 1e-6));
  editConfig(dir, (c) => (c.calibration = { temperature: -1 }));
  assert.throws(() => loadModelDir(dir), (e: unknown) => e instanceof UserError && /calibration\.temperature" must be a positive number/.test(e.message));
});

test('a model built from saved weights holds them without drawing initial values; building one for training draws them', async () => {
  await initEngine({ backend: 'cpu' });
  const saved = { 'x/kernel': tf.tensor2d([[1, 2], [3, 4]]) };
  const neverDrawn = { shape: [2, 2], make: () => assert.fail('drew initial values for a saved weight') };
  const params = withSavedValues(saved, () => {
    const store = new ParamStore();
    store.add('x/kernel', neverDrawn);
    store.add('x/bias', glorotUniform([2])); // not saved: initial values
    return store;
  });
  const { 'x/kernel': kernel, 'x/bias': bias } = params.getWeights();
  tf.dispose(Object.values(saved)); // the caller's tensors go; the parameter keeps the values
  assert.deepEqual(kernel.arraySync(), [[1, 2], [3, 4]]);
  assert.equal(bias.shape.join(','), '2');
  assert.throws(() => withSavedValues(saved, () => {
    throw new Error('broken config');
  }));
  const forTraining = new ParamStore(); // the saved values are gone again, even after a failed build
  const drawn = forTraining.add('x/kernel', glorotUniform([2, 2]));
  assert.ok(tf.tidy(() => tf.sum(tf.abs(drawn)).dataSync()[0]) > 0);
  assert.notDeepEqual(drawn.arraySync(), [[1, 2], [3, 4]]);
  params.dispose();
  forTraining.dispose();
});
