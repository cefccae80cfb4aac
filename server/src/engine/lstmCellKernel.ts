// A fused LSTM cell for inference: one kernel instead of the ~12 element-wise ops of a step (add, slice, sigmoid,
// tanh, mul, clip). Tagging one sentence is dominated by per-op overhead, not FLOPs: a 36-token sentence through the
// shipped model ran 4,186 kernels (216 LSTM steps x ~18); with this kernel 1,036, and it takes half the time. The
// matMuls stay tfjs ops; this kernel does the rest of the step on the tensors' memory directly (the wasm heap, or
// the CPU backend's arrays), in plain JS, so large batches keep the ops (see FUSED_MAX_BATCH in model/lstm.ts).
//
//   inputs  xw [N, 4H]  input projections of every step (x W + b), rows `row .. row+B-1` are this step's
//           hu [B, 4H]  the recurrent term h U
//           c  [B, H]   the previous cell state
//   attrs   row, cellClip (0 = none); gate order [i | f | o | g]
//   outputs h  [B, H]   o * tanh(c'), before any projection
//           c' [B, H]   f * c + i * g, clipped
// No gradient is registered: training uses the differentiable ops (Lstm.applySteps with training = true).
import * as tf from '@tensorflow/tfjs-core';

export const LSTM_CELL = 'BionerLstmCell';

interface CellAttrs {
  row: number;
  cellClip: number;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

type CellInputs = { xw: tf.TensorInfo; hu: tf.TensorInfo; c: tf.TensorInfo };

/** The step itself, on flat arrays. */
function cellStep(xw: Float32Array, hu: Float32Array, c: Float32Array, h: Float32Array, cNew: Float32Array, B: number, H: number, attrs: CellAttrs): void {
  const G = 4 * H;
  const clip = attrs.cellClip;
  for (let b = 0; b < B; b++) {
    const x0 = (attrs.row + b) * G;
    const u0 = b * G;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const i = 1 / (1 + Math.exp(-(xw[x0 + j] + hu[u0 + j])));
      const f = 1 / (1 + Math.exp(-(xw[x0 + H + j] + hu[u0 + H + j])));
      const o = 1 / (1 + Math.exp(-(xw[x0 + 2 * H + j] + hu[u0 + 2 * H + j])));
      const g = Math.tanh(xw[x0 + 3 * H + j] + hu[u0 + 3 * H + j]);
      let cell = f * c[s0 + j] + i * g;
      if (clip > 0) cell = cell > clip ? clip : cell < -clip ? -clip : cell;
      cNew[s0 + j] = cell;
      h[s0 + j] = o * Math.tanh(cell);
    }
  }
}

function wasmCell(args: { inputs: CellInputs; backend: WasmBackendLike; attrs: CellAttrs }): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const [B, H] = inputs.c.shape;
  // Allocate first: growing the wasm heap would invalidate views taken before.
  const h = backend.makeOutput([B, H], 'float32');
  const cNew = backend.makeOutput([B, H], 'float32');
  const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t);
  cellStep(view(inputs.xw), view(inputs.hu), view(inputs.c), view(h), view(cNew), B, H, attrs);
  return [h, cNew];
}

function cpuCell(args: { inputs: CellInputs; backend: CpuBackendLike; attrs: CellAttrs }): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const [B, H] = inputs.c.shape;
  const values = (t: tf.TensorInfo) => backend.data.get(t.dataId).values;
  const h = new Float32Array(B * H);
  const cNew = new Float32Array(B * H);
  cellStep(values(inputs.xw), values(inputs.hu), values(inputs.c), h, cNew, B, H, attrs);
  return [backend.makeTensorInfo([B, H], 'float32', h), backend.makeTensorInfo([B, H], 'float32', cNew)];
}

/** Registers the kernel for the backends whose memory it can read (wasm, cpu); others use the plain ops. */
export function installLstmCellKernel(backendName: string): void {
  if (tf.getKernel(LSTM_CELL, backendName)) return;
  const kernelFunc = backendName === 'wasm' ? wasmCell : backendName === 'cpu' ? cpuCell : undefined;
  if (kernelFunc) tf.registerKernel({ kernelName: LSTM_CELL, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Whether the current backend has the fused cell. */
export function hasLstmCellKernel(): boolean {
  return tf.getKernel(LSTM_CELL, tf.getBackend()) !== undefined;
}

/** One fused step: [h [B, H], c' [B, H]] (see the top of this file). */
export function lstmCell(xw: tf.Tensor2D, row: number, hu: tf.Tensor2D, c: tf.Tensor2D, cellClip: number | undefined): [tf.Tensor2D, tf.Tensor2D] {
  const attrs = { row, cellClip: cellClip ?? 0 };
  return tf.engine().runKernel(LSTM_CELL, { xw, hu, c }, attrs as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor2D, tf.Tensor2D];
}
