// Matrix products on the system's BLAS (OpenBLAS), for the wasm backend.
//
// Tagging and training are matMul-bound, and the wasm backend's matMul (XNNPACK, one thread in Node) reaches
// ~14-20 GFLOP/s here, against ~50-60 GFLOP/s per thread for OpenBLAS's sgemm on the same shapes (`npm run
// bench` prints both). server/native/ builds a small Node-API addon (needs libopenblas-dev and a C compiler; see
// scripts/build-native.mjs); when it loads, the wasm backend's BatchMatMul kernel is replaced by one that calls
// sgemm on the tensors' own memory in the wasm heap, so nothing is copied. Everything else stays on wasm. When the
// addon is missing or fails to load, nothing changes: XNNPACK does the products, as before.
// BIONER_BLAS=0 turns it off. Threads: our parallelism is worker threads (a bulk pool of one per core, data-parallel
// pre-training), and OpenBLAS's thread count is one setting for the whole process, which a thread must not change
// while another is inside a BLAS call: every thread asks for 1 OpenBLAS thread, so its pool is never used.
// BIONER_BLAS_THREADS=N asks for N instead (a single-threaded job, e.g. fine-tuning, on more cores).
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { WasmBackendLike } from './wasmKernels';

/** How the addon's LSTM functions take a sequence: xw [T*B, 4H], u [R, 4H], proj [H, R], mask [T*B], T, B, ... */
type SequenceArgs = [
  xw: Float32Array, u: Float32Array, proj: Float32Array | null, mask: Float32Array | null,
  steps: number, batch: number, reverse: boolean, cellClip: number, projClip: number,
];

/** Floats the training forward saves per row (bioner_blas.c): gates, raw and previous cell, hidden, previous state,
 *  and the raw projection when there is one. */
export function lstmSavedWidth(hidden: number, width: number, projected: boolean): number {
  return 7 * hidden + width + (projected ? width : 0);
}

/** The addon's functions (server/native/bioner_blas.c). */
interface BlasAddon {
  /** C_i = op(A_i) op(B_i) + beta C_i for i < batch, row-major; X_i starts strideX floats after X_0. */
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, b: Float32Array, c: Float32Array,
    batch: number, strideA: number, strideB: number, strideC: number, beta: number,
  ): void;
  /** One LSTM direction (lstmSequenceKernel.ts has the shapes); for training, `saved` [T*B, lstmSavedWidth] is
   *  filled for the backward pass (null for inference). proj and mask may be null. */
  lstmSequence(...args: [...SequenceArgs, out: Float32Array, saved: Float32Array | null]): void;
  /** Backpropagation through time: writes dxw [T*B, 4H], du [R, 4H] and dproj [H, R] (null without projection). */
  lstmTrainBackward(
    ...args: [...SequenceArgs, saved: Float32Array, dOut: Float32Array, dxw: Float32Array, du: Float32Array, dproj: Float32Array | null]
  ): void;
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

export interface BlasInfo {
  /** e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64" */
  library: string;
  threads: number;
}

const ADDON_FILE = 'bioner_blas.node';

let addon: BlasAddon | undefined;
let active = false;
let nativeSequence = true;

/** Where the addon may be: beside the bundle (dist/, esbuild copies it), or where node-gyp builds it. */
export function addonCandidates(): string[] {
  return [join(__dirname, ADDON_FILE), join(__dirname, '..', '..', 'native', 'build', 'Release', ADDON_FILE)];
}

/** Loads the addon; undefined (with the reason) when it is absent, turned off, or fails to load. */
export function loadBlasAddon(env: NodeJS.ProcessEnv = process.env): { addon?: BlasAddon; note?: string } {
  if (env.BIONER_BLAS === '0') return { note: 'blas: turned off (BIONER_BLAS=0)' };
  const path = addonCandidates().find((p) => existsSync(p));
  if (!path) return { note: 'blas: addon not built (npm run build:native)' };
  try {
    // process.dlopen, not require: the path is one of ours, never from a model folder or a setting. (The addon is
    // linked with -z nodelete: Node may unload an addon when the worker thread that loaded it exits.)
    const module = { exports: {} as BlasAddon };
    process.dlopen(module, path, constants.dlopen.RTLD_NOW);
    return { addon: module.exports };
  } catch (e) {
    // Typically libopenblas.so.0 missing at run time.
    return { note: `blas: ${path} failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** Whether BatchMatMul runs on BLAS in this thread (then transposed operands cost nothing extra). */
export function blasActive(): boolean {
  return active;
}

/** The addon's whole-sequence LSTM functions, once the BLAS matMul is installed (undefined before, or without the
 *  addon, or when turned off for a comparison). */
export function nativeLstm(): Pick<BlasAddon, 'lstmSequence' | 'lstmTrainBackward'> | undefined {
  return active && addon && nativeSequence ? addon : undefined;
}

/** Turns the addon's LSTM functions off and on (tests and A/B measurements: tfjs ops over BLAS matMuls instead). */
export function setNativeLstmSequence(enabled: boolean): void {
  nativeSequence = enabled;
}

type MatMulArgs = {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: { transposeA: boolean; transposeB: boolean };
};

/**
 * Replaces wasm's BatchMatMul with the BLAS one. Returns what was installed, or undefined with a note.
 * Idempotent within a thread.
 */
export function installBlasMatMul(env: NodeJS.ProcessEnv = process.env): { info?: BlasInfo; note?: string } {
  if (!addon) {
    const loaded = loadBlasAddon(env);
    if (!loaded.addon) return { note: loaded.note };
    addon = loaded.addon;
  }
  const threads = env.BIONER_BLAS_THREADS ? Number(env.BIONER_BLAS_THREADS) : 1;
  addon.setThreads(Number.isInteger(threads) && threads >= 1 ? threads : 1);
  if (!active) {
    const original = tf.getKernel('BatchMatMul', 'wasm');
    if (!original) return { note: 'blas: the wasm backend has no BatchMatMul kernel' };
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({ ...original, kernelFunc: blasBatchMatMul(addon, original.kernelFunc) as unknown as tf.KernelFunc });
    active = true;
  }
  return { info: { library: addon.config(), threads: addon.threads() } };
}

/**
 * a [...outerA, M, K] (or [..., K, M] transposed) times b [...outerB, K, N] (or [..., N, K]) -> [...outer, M, N].
 * The outer (batch) shapes must be equal or one of them of size 1; any other broadcast goes to the original kernel.
 */
function blasBatchMatMul(blas: BlasAddon, original: tf.KernelFunc) {
  return (args: MatMulArgs): tf.TensorInfo => {
    const { inputs: { a, b }, backend, attrs: { transposeA, transposeB } } = args;
    const fallback = () => original(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return fallback();
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb) return fallback(); // the original throws tfjs's own message
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const sizeA = tf.util.sizeFromShape(outerA);
    const sizeB = tf.util.sizeFromShape(outerB);
    let outer: number[];
    if (sizeA === sizeB && outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
    else if (sizeA === 1 && outerA.length <= outerB.length) outer = outerB;
    else if (sizeB === 1 && outerB.length <= outerA.length) outer = outerA;
    else return fallback();
    const batch = tf.util.sizeFromShape(outer);
    const out = backend.makeOutput([...outer, m, n], 'float32');
    if (batch * m * n === 0) return out;
    if (k === 0) {
      (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
      return out;
    }
    // Views taken after the allocation above: a growing heap invalidates older ones.
    blas.sgemm(
      transposeA, transposeB, m, n, k,
      backend.typedArrayFromHeap(a) as Float32Array, backend.typedArrayFromHeap(b) as Float32Array,
      backend.typedArrayFromHeap(out) as Float32Array,
      batch, sizeA === 1 ? 0 : m * k, sizeB === 1 ? 0 : k * n, m * n, 0,
    );
    return out;
  };
}
