// Named tensor maps on disk: `<base>.bin` (raw little-endian data, concatenated) + `<base>.json` manifest with
// name, shape, dtype, byteOffset, byteLength per tensor. Loading reads data only (never code) and refuses anything
// inconsistent with a UserError that names the file. Writes are atomic: data file first, manifest last, each via a
// temp file + rename; the manifest records the data file's size and CRC-32, so a manifest never matches a data
// file other than its own.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, realpathSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { readFileBoundedSync, readJsonFileSync } from '../formats/boundedRead';
import { withSavedValues } from './params';

export const WEIGHTS_FORMAT = 'bioner-weights';
export const WEIGHTS_VERSION = 1;

type DType = 'float32' | 'int32';
const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, int32: 4 };

export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: DType;
  byteOffset: number;
  byteLength: number;
}

export interface WeightsManifest {
  format: typeof WEIGHTS_FORMAT;
  version: number;
  /** Data file, relative to the directory. */
  file: string;
  byteLength: number;
  crc32: number;
  weights: WeightsManifestEntry[];
}

/** Writes tensors to dir/<base>.bin + dir/<base>.json atomically. */
export async function saveWeights(dir: string, tensors: Record<string, tf.Tensor>, base = 'weights'): Promise<void> {
  const entries: WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
    const values = await t.data();
    const typed = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    entries.push({ name, shape: t.shape, dtype, byteOffset: offset, byteLength: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const data = Buffer.concat(chunks);
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    file: `${base}.bin`,
    byteLength: data.byteLength,
    crc32: crc32(data),
    weights: entries,
  };
  writeFileAtomicSync(join(dir, `${base}.bin`), data);
  writeFileAtomicSync(join(dir, `${base}.json`), JSON.stringify(manifest, null, 1) + '\n');
}

export function weightsExist(dir: string, base = 'weights'): boolean {
  return existsSync(join(dir, `${base}.json`));
}

/**
 * Reads dir/<base>.json and its data file. `expected` (name -> shape), when given, must match exactly: every
 * expected name present with that shape.
 */
export function loadWeights(dir: string, expected?: Record<string, number[]>, base = 'weights'): Record<string, tf.Tensor> {
  const root = resolve(dir);
  const manifestPath = join(root, `${base}.json`);
  const fail = (msg: string, file = manifestPath): never => {
    throw new UserError(`${file}: ${msg}`);
  };
  if (!existsSync(manifestPath)) fail('missing (no weights in this directory)');
  const manifest = readJsonFileSync(manifestPath) as WeightsManifest;
  if (!manifest || manifest.format !== WEIGHTS_FORMAT) fail(`not a weights manifest (format must be "${WEIGHTS_FORMAT}")`);
  if (manifest.version !== WEIGHTS_VERSION) {
    fail(`unsupported weights format version ${JSON.stringify(manifest.version)} (this program reads version ${WEIGHTS_VERSION})`);
  }
  if (typeof manifest.file !== 'string' || !Array.isArray(manifest.weights)) fail('"file" and "weights" are required');
  const dataPath = resolve(root, manifest.file);
  const rel = relative(root, dataPath);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) fail(`data file "${manifest.file}" is outside the model directory`);
  if (!existsSync(dataPath)) fail(`data file "${manifest.file}" is missing`);
  // A symbolic link may lead anywhere: the data must really lie inside the model folder.
  const realRel = relative(realpathSync(root), realpathSync(dataPath));
  if (realRel === '' || realRel.startsWith('..') || isAbsolute(realRel)) {
    fail(`data file "${manifest.file}" is a link to ${realpathSync(dataPath)}, outside the model directory`);
  }
  if (!Number.isSafeInteger(manifest.byteLength) || manifest.byteLength < 0) fail('"byteLength" must be a whole number of bytes');
  // Read one byte more than the manifest says, to tell a longer file from the right one without trusting its size.
  const data = readFileBoundedSync(dataPath, manifest.byteLength + 1);
  if (data.byteLength !== manifest.byteLength) {
    fail(
      data.byteLength > manifest.byteLength
        ? `is larger than the ${manifest.byteLength} bytes its manifest says (from another save)`
        : `is ${data.byteLength} bytes but its manifest says ${manifest.byteLength} (truncated or from another save)`,
      dataPath,
    );
  }
  if (typeof manifest.crc32 === 'number' && crc32(data) !== manifest.crc32) {
    fail('checksum does not match its manifest (corrupt or from another save)', dataPath);
  }
  const out: Record<string, tf.Tensor> = {};
  for (const e of manifest.weights) {
    const where = `weight "${e?.name}"`;
    if (typeof e?.name !== 'string' || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`${where}: bad entry`);
    }
    if (e.dtype !== 'float32' && e.dtype !== 'int32') fail(`${where}: unsupported dtype ${JSON.stringify(e.dtype)}`);
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(e.byteOffset) || !Number.isInteger(e.byteLength) || e.byteOffset < 0 || e.byteOffset % 4 !== 0) {
      fail(`${where}: bad byte range`);
    }
    if (e.byteLength !== count * BYTES_PER_ELEMENT[e.dtype]) fail(`${where}: byteLength does not match shape [${e.shape}]`);
    if (e.byteOffset + e.byteLength > data.byteLength) fail(`${where}: byte range past the end of the data file (truncated?)`);
    if (out[e.name]) fail(`${where}: listed twice`);
    out[e.name] = tf.tensor(typedView(data, e.byteOffset, count, e.dtype), e.shape, e.dtype);
  }
  if (expected) {
    try {
      refuseMismatched(out, expected, manifestPath);
    } catch (e) {
      Object.values(out).forEach((t) => t.dispose());
      throw e;
    }
  }
  return out;
}

/** A UserError naming `file` unless every expected name has a tensor of that shape (extra tensors are fine). */
function refuseMismatched(weights: Record<string, tf.Tensor>, expected: Record<string, number[]>, file: string): void {
  const problems: string[] = [];
  for (const [name, shape] of Object.entries(expected)) {
    const t = weights[name];
    if (!t) problems.push(`missing weight "${name}"`);
    else if (t.shape.join(',') !== shape.join(',')) {
      problems.push(`weight "${name}" has shape [${t.shape}] but the model expects [${shape}]`);
    }
  }
  if (problems.length) {
    throw new UserError(`${file}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  }
}

/** A model (or a piece of one) whose named parameters can be read and set. */
export interface WeightsHolder {
  getWeights(): Record<string, tf.Tensor>;
  setWeights(weights: Record<string, tf.Tensor>, source?: string): void;
  dispose(): void;
}

/**
 * Builds a model from the weights saved in `dir`: `build` runs under withSavedValues, so each parameter holds its
 * saved tensor from the start (no initial values, no second copy of the weights); then every parameter is checked
 * against the file by name and shape (a UserError naming weights.json, as loadWeights gives).
 */
export function buildFromWeights<T extends WeightsHolder>(dir: string, build: () => T, base = 'weights'): T {
  const weights = loadWeights(dir, undefined, base);
  try {
    const model = withSavedValues(weights, build);
    try {
      const file = join(resolve(dir), `${base}.json`);
      refuseMismatched(weights, Object.fromEntries(Object.entries(model.getWeights()).map(([name, t]) => [name, t.shape])), file);
      model.setWeights(weights, file);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  } finally {
    for (const t of Object.values(weights)) t.dispose();
  }
}

/**
 * `count` values of `dtype` at `byteOffset` in `data`: a view of the bytes read (the backend copies them into its
 * own memory), or a copy when they do not start on a 4-byte boundary (a typed array cannot view them there).
 */
function typedView(data: Buffer, byteOffset: number, count: number, dtype: DType): Float32Array | Int32Array {
  const Typed = dtype === 'int32' ? Int32Array : Float32Array;
  const start = data.byteOffset + byteOffset;
  if (start % Typed.BYTES_PER_ELEMENT === 0) return new Typed(data.buffer as ArrayBuffer, start, count);
  const copy = new Typed(count);
  new Uint8Array(copy.buffer).set(data.subarray(byteOffset, byteOffset + count * Typed.BYTES_PER_ELEMENT));
  return copy;
}
