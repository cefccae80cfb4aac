// A whole LSTM direction for inference as one kernel. As tfjs ops a step is a recurrent matMul, ~12 element-wise
// ops, a projection matMul, a clip and the masking, each paying the engine's bookkeeping (~10-20 us on wasm, against
// ~45 us for the [1, 128] x [128, 1024] matMul itself); tagging one sentence was dominated by that overhead. Here
// the time loop runs inside the kernel: the matMuls and the sigmoids call the backend's own kernel functions
// directly (XNNPACK on wasm), and the rest of the cell, clipping and masking are plain JS on the tensors' memory (the
// wasm heap, or the CPU backend's arrays). A layer of a 36-token sentence is then 2 ops (input matMul, this) instead
// of ~150, and large batches gain too (fewer, larger calls).
//
//   inputs  xw   [T*B, 4H]  input projections x W + b of every step, time-major (row t*B + b), gates [i | f | o | g]
//           u    [R, 4H]    recurrent kernel (R = P with a projection, else H)
//           proj [H, P]     optional projection of the hidden state
//           mask [T*B]      optional, 1 = token, 0 = padding (the state is carried over, the output is zero)
//   attrs   batch B, reverse, cellClip and projClip (0 = none)
//   output       [T*B, R]   the outputs of every step, time-major
// No gradient is registered: training uses the differentiable ops (Lstm.applySteps).
// With the BLAS addon (nativeBlas.ts) on wasm, the addon runs the whole loop in C, matMuls and cell maths alike, since
// once the matMuls ran on BLAS these JS loops became a large share of tagging time (bench/HISTORY.md).
import * as tf from '@tensorflow/tfjs-core';
import { nativeLstm } from './nativeBlas';
import type { WasmBackendLike } from './wasmKernels';

export const LSTM_SEQUENCE = 'BionerLstmSequence';

/** The kernels' attributes (0 = no clip). */
export interface SequenceAttrs {
  batch: number;
  reverse: boolean;
  cellClip: number;
  projClip: number;
}

export type SequenceInputs = { xw: tf.TensorInfo; u: tf.TensorInfo; proj?: tf.TensorInfo; mask?: tf.TensorInfo };

/** How the kernel reaches a backend's memory: new tensors, a writable view of one, freeing one. */
interface Memory {
  alloc(shape: number[]): tf.TensorInfo;
  view(t: tf.TensorInfo): Float32Array;
  free(t: tf.TensorInfo): void;
}

interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
}

// A view of the wasm heap is invalidated when the heap grows (any allocation may), so views are taken just before
// use and never kept across an allocation or a matMul.
const wasmMemory = (backend: WasmBackendLike): Memory => ({
  alloc: (shape) => {
    const t = backend.makeOutput(shape, 'float32');
    backend.typedArrayFromHeap(t).fill(0); // malloc'd memory is not zeroed
    return t;
  },
  view: (t) => backend.typedArrayFromHeap(t) as Float32Array, // every tensor here is float32
  free: (t) => backend.disposeData(t.dataId),
});

const cpuMemory = (backend: CpuBackendLike): Memory => ({
  alloc: (shape) => backend.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1))),
  view: (t) => backend.data.get(t.dataId).values,
  free: (t) => backend.disposeData(t.dataId),
});

function runSequence(inputs: SequenceInputs, backend: unknown, memory: Memory, attrs: SequenceAttrs): tf.TensorInfo {
  const { xw, u, proj, mask } = inputs;
  const B = attrs.batch;
  const T = xw.shape[0] / B;
  const G = xw.shape[1];
  const H = G / 4;
  const R = u.shape[0];
  const kernel = (name: string) => tf.getKernel(name, tf.getBackend())!.kernelFunc;
  const batchMatMul = kernel('BatchMatMul');
  const sigmoidKernel = kernel('Sigmoid');
  const matMul = (a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo =>
    batchMatMul({ inputs: { a, b }, backend: backend as tf.KernelBackend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
  // The backend's Sigmoid (XNNPACK on wasm) is far cheaper than Math.exp per element; tanh(x) = 2 sigmoid(2x) - 1.
  const sigmoid = (x: tf.TensorInfo): tf.TensorInfo =>
    sigmoidKernel({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: {} }) as tf.TensorInfo;
  // 3-D views of the weights for BatchMatMul: the same data, another shape.
  const u3: tf.TensorInfo = { dataId: u.dataId, shape: [1, R, G], dtype: 'float32' };
  const proj3: tf.TensorInfo | undefined = proj && { dataId: proj.dataId, shape: [1, H, R], dtype: 'float32' };

  const out = memory.alloc([T * B, R]);
  const h = memory.alloc([1, B, R]); // recurrent state, the left operand of the next step's matMul
  const doubledCell = memory.alloc([1, B, H]); // 2 c', whose sigmoid gives tanh(c')
  const hidden = proj ? memory.alloc([1, B, H]) : undefined; // o * tanh(c') before the projection
  const c = new Float32Array(B * H);
  const cNew = new Float32Array(B * H);
  const hNew = new Float32Array(B * H);
  const maskValues = mask ? memory.view(mask).slice() : undefined;
  const { cellClip, projClip } = attrs;
  try {
    for (let k = 0; k < T; k++) {
      const t = attrs.reverse ? T - 1 - k : k;
      // Pre-activations x W + b + h U in place in hu ([1, B, 4H]), the g gate doubled for its tanh.
      const hu = matMul(h, u3);
      const pre = memory.view(hu);
      const x = memory.view(xw);
      for (let b = 0; b < B; b++) {
        const x0 = (t * B + b) * G;
        const u0 = b * G;
        for (let j = 0; j < 3 * H; j++) pre[u0 + j] += x[x0 + j];
        for (let j = 3 * H; j < G; j++) pre[u0 + j] = 2 * (pre[u0 + j] + x[x0 + j]);
      }
      const activated = sigmoid(hu);
      memory.free(hu);
      const gates = memory.view(activated);
      const cell2 = memory.view(doubledCell);
      for (let b = 0; b < B; b++) {
        const u0 = b * G;
        const s0 = b * H;
        for (let j = 0; j < H; j++) {
          const g = 2 * gates[u0 + 3 * H + j] - 1;
          let cell = gates[u0 + H + j] * c[s0 + j] + gates[u0 + j] * g;
          if (cellClip > 0) cell = cell > cellClip ? cellClip : cell < -cellClip ? -cellClip : cell;
          cNew[s0 + j] = cell;
          cell2[s0 + j] = 2 * cell;
        }
      }
      const squashed = sigmoid(doubledCell);
      const tanhCell = memory.view(squashed);
      const o = memory.view(activated); // taken again: the Sigmoid call above may have grown the heap
      for (let b = 0; b < B; b++) {
        const u0 = b * G + 2 * H;
        const s0 = b * H;
        for (let j = 0; j < H; j++) hNew[s0 + j] = o[u0 + j] * (2 * tanhCell[s0 + j] - 1);
      }
      memory.free(squashed);
      memory.free(activated);
      let result: Float32Array = hNew; // [B, R]
      let projected: tf.TensorInfo | undefined;
      if (proj3 && hidden) {
        memory.view(hidden).set(hNew);
        projected = matMul(hidden, proj3); // [1, B, P]
        result = memory.view(projected);
        if (projClip > 0) for (let n = 0; n < result.length; n++) result[n] = result[n] > projClip ? projClip : result[n] < -projClip ? -projClip : result[n];
      }
      const state = memory.view(h);
      const output = memory.view(out);
      for (let b = 0; b < B; b++) {
        if (maskValues && maskValues[t * B + b] === 0) continue; // state kept, output stays zero
        state.set(result.subarray(b * R, (b + 1) * R), b * R);
        output.set(result.subarray(b * R, (b + 1) * R), (t * B + b) * R);
        c.set(cNew.subarray(b * H, (b + 1) * H), b * H);
      }
      if (projected) memory.free(projected);
    }
  } finally {
    memory.free(h);
    memory.free(doubledCell);
    if (hidden) memory.free(hidden);
  }
  return out;
}

function wasmSequence(args: { inputs: SequenceInputs; backend: WasmBackendLike; attrs: SequenceAttrs }): tf.TensorInfo {
  const native = nativeLstm();
  if (!native) return runSequence(args.inputs, args.backend, wasmMemory(args.backend), args.attrs);
  const { inputs, backend, attrs } = args;
  const out = backend.makeOutput([inputs.xw.shape[0], inputs.u.shape[0]], 'float32');
  native.lstmSequence(...nativeSequenceArgs(inputs, backend, attrs), backend.typedArrayFromHeap(out) as Float32Array, null);
  return out;
}

/**
 * The addon's arguments for a sequence (xw, u, proj, mask, T, B, reverse, cellClip, projClip), from the tensors'
 * heap views: call it after every allocation of the kernel, since a growing heap invalidates older views.
 */
export function nativeSequenceArgs(inputs: SequenceInputs, backend: WasmBackendLike, attrs: SequenceAttrs) {
  const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const { xw, u, proj, mask } = inputs;
  return [
    view(xw), view(u), proj ? view(proj) : null, mask ? view(mask) : null,
    xw.shape[0] / attrs.batch, attrs.batch, attrs.reverse, attrs.cellClip, attrs.projClip,
  ] as const;
}

function cpuSequence(args: { inputs: SequenceInputs; backend: CpuBackendLike; attrs: SequenceAttrs }): tf.TensorInfo {
  return runSequence(args.inputs, args.backend, cpuMemory(args.backend), args.attrs);
}

/** Registers the kernel for the backends whose memory it can reach (wasm, cpu); others use the plain ops. */
export function installLstmSequenceKernel(backendName: string): void {
  if (tf.getKernel(LSTM_SEQUENCE, backendName)) return;
  const kernelFunc = backendName === 'wasm' ? wasmSequence : backendName === 'cpu' ? cpuSequence : undefined;
  if (kernelFunc) tf.registerKernel({ kernelName: LSTM_SEQUENCE, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Whether the current backend has the fused sequence. */
export function hasLstmSequenceKernel(): boolean {
  return tf.getKernel(LSTM_SEQUENCE, tf.getBackend()) !== undefined;
}

/** How a direction runs: its batch size B, its direction, and its clips (undefined = none). */
export interface SequenceOptions {
  batch: number;
  reverse: boolean;
  cellClip?: number;
  projClip?: number;
}

/** The kernels' attributes (0 = no clip). */
export function sequenceKernelAttrs(options: SequenceOptions): tf.NamedAttrMap {
  const attrs: SequenceAttrs = { batch: options.batch, reverse: options.reverse, cellClip: options.cellClip ?? 0, projClip: options.projClip ?? 0 };
  return attrs as unknown as tf.NamedAttrMap;
}

/** One direction over a time-major batch: [T*B, R] (see the top of this file). */
export function lstmSequence(
  xw: tf.Tensor2D,
  recurrent: tf.Tensor,
  projection: tf.Tensor | undefined,
  mask: tf.Tensor1D | undefined,
  options: SequenceOptions,
): tf.Tensor2D {
  const inputs: Record<string, tf.Tensor> = { xw, u: recurrent };
  if (projection) inputs.proj = projection;
  if (mask) inputs.mask = mask;
  return tf.engine().runKernel(LSTM_SEQUENCE, inputs, sequenceKernelAttrs(options)) as tf.Tensor2D;
}
