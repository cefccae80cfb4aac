// weightsIO: save -> load gives identical model outputs; bad files are refused with a UserError naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../server/src/engine/backend';
import { UserError } from '../../server/src/errors';
import { BiLM } from '../../server/src/model/bilm';
import { TINY_CONFIG } from '../../server/src/model/config';
import { CharVocab } from '../../server/src/model/vocab';
import { loadWeights, saveWeights } from '../../server/src/model/weightsIO';

const chars = new CharVocab(['<pad>', '<unk>', '<bow>', '<eow>', ...'abcdefghij']);
const words = [['abc', 'de', 'f'], ['jihgf']];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bioner-weights-'));
}

test('save -> load into a fresh model gives identical outputs; the directory holds no temp files', async () => {
  await initEngine({ backend: 'wasm' });
  const dir = tempDir();
  try {
    const a = new BiLM(structuredClone(TINY_CONFIG), chars);
    const b = new BiLM(structuredClone(TINY_CONFIG), chars);
    await saveWeights(dir, a.getWeights());
    const loaded = loadWeights(dir, b.params.shapes());
    b.setWeights(loaded);
    Object.values(loaded).forEach((t) => t.dispose());
    const outA = a.layers({ words }, false).map((t) => Array.from(t.dataSync()));
    const outB = b.layers({ words }, false).map((t) => Array.from(t.dataSync()));
    assert.deepEqual(outB, outA);
    assert.deepEqual(readdirSync(dir).sort(), ['weights.bin', 'weights.json']);
    a.dispose();
    b.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function savedPair(): Promise<string> {
  const dir = tempDir();
  await saveWeights(dir, { 'x/kernel': tf.tensor2d([[1, 2], [3, 4]]), 'x/ids': tf.tensor1d([5, 6], 'int32') });
  return dir;
}

function refuses(dir: string, pattern: RegExp, expected?: Record<string, number[]>): void {
  assert.throws(
    () => loadWeights(dir, expected),
    (e: unknown) => e instanceof UserError && pattern.test((e as Error).message) && (e as Error).message.includes(dir),
  );
}

function editManifest(dir: string, edit: (m: any) => void): void {
  const file = join(dir, 'weights.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  writeFileSync(file, JSON.stringify(m));
}

test('refuses a truncated data file', async () => {
  await initEngine({ backend: 'wasm' });
  const dir = await savedPair();
  truncateSync(join(dir, 'weights.bin'), 10);
  refuses(dir, /weights\.bin: is 10 bytes but its manifest says 24/);
  rmSync(dir, { recursive: true });
});

test('refuses a byte range past the end, a data file outside the directory, an unknown version', async () => {
  await initEngine({ backend: 'wasm' });
  const dir = await savedPair();
  editManifest(dir, (m) => (m.weights[1].byteOffset = 24));
  refuses(dir, /weight "x\/ids": byte range past the end/);
  editManifest(dir, (m) => {
    m.weights[1].byteOffset = 16;
    m.file = '../../etc/passwd';
  });
  refuses(dir, /outside the model directory/);
  editManifest(dir, (m) => {
    m.file = 'weights.bin';
    m.version = 99;
  });
  refuses(dir, /unsupported weights format version 99/);
  rmSync(dir, { recursive: true });
});

test('refuses shapes that do not match what the model expects, and corrupt data', async () => {
  await initEngine({ backend: 'wasm' });
  const dir = await savedPair();
  refuses(dir, /weight "x\/kernel" has shape \[2,2\] but the model expects \[2,3\]/, { 'x/kernel': [2, 3], 'x/ids': [2] });
  refuses(dir, /missing weight "y"/, { y: [1] });
  const loaded = loadWeights(dir, { 'x/kernel': [2, 2] });
  assert.deepEqual(loaded['x/kernel'].arraySync(), [[1, 2], [3, 4]]);
  assert.deepEqual(loaded['x/ids'].arraySync(), [5, 6]);
  Object.values(loaded).forEach((t) => t.dispose());
  const bin = readFileSync(join(dir, 'weights.bin'));
  bin[0] ^= 0xff;
  writeFileSync(join(dir, 'weights.bin'), bin);
  refuses(dir, /checksum does not match/);
  writeFileSync(join(dir, 'weights.json'), '{ not json');
  refuses(dir, /not valid JSON/);
  rmSync(dir, { recursive: true });
});
