// Kernel replacements for the wasm backend.
//
// Slice: tfjs-backend-wasm 4.22's Slice copies the WHOLE input out of the wasm heap (readSync) before taking the
// slice, so T slices of a [T, ...] tensor cost O(T * size): measured 23 ms for a [1, 80, 2048] slice of a
// [25, 80, 2048] tensor. This replacement reads the input through a heap view (no copy) and copies only the slice.
// SplitV (the gradient of concat) and Unpack (unstack, the gradient of stack) call that slow slice once per piece;
// they are replaced too.
// Identity: wasm's copies the tensor out of the heap and back (readSync + new tensor); tfjs runs it on every tensor
// it saves for the backward pass (11k calls per training step). Like the CPU backend's, this one shares the data.
// GatherV2 (embedding lookups): wasm's computes every output element's index on its own, ~46 ns per element:
// 12-37 ms to gather 2,044 rows of 128 floats, 2.1 s of a 9.8 s bulk-tagging run. Along axis 0 (every gather the
// model does) this one copies whole rows; other axes use the original kernel.
// Tanh: wasm's is scalar, 6.8 ms on [256, 1024] against 0.5 ms for its (XNNPACK) Sigmoid; this one computes
// tanh(x) = 2 sigmoid(2x) - 1 with that Sigmoid (1.2 ms, within 2e-7). Its gradient, from the output, is unchanged.
import * as tf from '@tensorflow/tfjs-core';

/** The parts of BackendWasm used by the kernels here and by the LSTM sequence kernel. */
export interface WasmBackendLike {
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId): void;
}

let installed = false;

export function installWasmKernels(): void {
  if (installed) return;
  installed = true;
  if (tf.getKernel('Slice', 'wasm')) tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: slice as unknown as tf.KernelFunc });
  if (tf.getKernel('Identity', 'wasm')) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity as unknown as tf.KernelFunc });
  if (tf.getKernel('SplitV', 'wasm')) tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({ kernelName: 'SplitV', backendName: 'wasm', kernelFunc: splitV as unknown as tf.KernelFunc });
  if (tf.getKernel('Unpack', 'wasm')) tf.unregisterKernel('Unpack', 'wasm');
  tf.registerKernel({ kernelName: 'Unpack', backendName: 'wasm', kernelFunc: unpack as unknown as tf.KernelFunc });
  const originalGather = tf.getKernel('GatherV2', 'wasm');
  if (originalGather) {
    tf.unregisterKernel('GatherV2', 'wasm');
    tf.registerKernel({ ...originalGather, kernelFunc: gatherRows(originalGather.kernelFunc) as unknown as tf.KernelFunc });
  }
  const sigmoid = tf.getKernel('Sigmoid', 'wasm');
  if (sigmoid && tf.getKernel('Tanh', 'wasm')) {
    tf.unregisterKernel('Tanh', 'wasm');
    tf.registerKernel({ kernelName: 'Tanh', backendName: 'wasm', kernelFunc: tanhBySigmoid(sigmoid.kernelFunc) as unknown as tf.KernelFunc });
  }
}

type GatherArgs = { inputs: { x: tf.TensorInfo; indices: tf.TensorInfo }; backend: WasmBackendLike; attrs: { axis: number; batchDims: number } };

function gatherRows(original: tf.KernelFunc) {
  return (args: GatherArgs): tf.TensorInfo => {
    const { inputs: { x, indices }, backend, attrs } = args;
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
    if (axis !== 0 || attrs.batchDims !== 0 || x.dtype === 'string' || x.dtype === 'complex64') {
      return original(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    }
    const rows = x.shape[0];
    const rowSize = tf.util.sizeFromShape(x.shape.slice(1));
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const index = backend.typedArrayFromHeap(indices);
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    for (let k = 0; k < index.length; k++) {
      const row = index[k];
      if (!(row >= 0 && row < rows)) {
        backend.disposeData(out.dataId);
        throw new Error(`GatherV2: the index value ${row} is not in [0, ${rows - 1}]`);
      }
      // A subarray costs more than copying a short row element by element (char embeddings are 16 floats).
      if (rowSize >= 64) to.set(from.subarray(row * rowSize, (row + 1) * rowSize), k * rowSize);
      else for (let j = 0, a = row * rowSize, b = k * rowSize; j < rowSize; j++) to[b + j] = from[a + j];
    }
    return out;
  };
}

type UnaryArgs = { inputs: { x: tf.TensorInfo }; backend: WasmBackendLike; attrs: Record<string, never> };

function tanhBySigmoid(sigmoid: tf.KernelFunc) {
  return (args: UnaryArgs): tf.TensorInfo => {
    const { inputs: { x }, backend } = args;
    const doubled = backend.makeOutput(x.shape, 'float32');
    // Views after the allocation (it may grow the heap).
    const xs = backend.typedArrayFromHeap(x);
    const twice = backend.typedArrayFromHeap(doubled);
    for (let i = 0; i < xs.length; i++) twice[i] = 2 * xs[i];
    const s = sigmoid({ inputs: { x: doubled }, backend, attrs: {} } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    backend.disposeData(doubled.dataId);
    const ys = backend.typedArrayFromHeap(s);
    for (let i = 0; i < ys.length; i++) ys[i] = 2 * ys[i] - 1;
    return s;
  };
}

function identity(args: { inputs: { x: tf.TensorInfo }; backend: WasmBackendLike }): tf.TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

type KernelArgs<A> = { inputs: { x: tf.TensorInfo }; backend: WasmBackendLike; attrs: A };

function splitV(args: KernelArgs<{ numOrSizeSplits: number | number[]; axis: number }>): tf.TensorInfo[] {
  const { inputs: { x }, backend, attrs } = args;
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits, axis);
  const begin = new Array(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const piece = slice({ inputs: { x }, backend, attrs: { begin: [...begin], size } });
    begin[axis] += s;
    return piece;
  });
}

function unpack(args: { inputs: { value: tf.TensorInfo }; backend: WasmBackendLike; attrs: { axis: number } }): tf.TensorInfo[] {
  const { inputs: { value }, backend, attrs } = args;
  const axis = attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const size = [...value.shape];
  size[axis] = 1;
  return Array.from({ length: value.shape[axis] }, (_, i) => {
    const begin = new Array(value.shape.length).fill(0);
    begin[axis] = i;
    const piece = slice({ inputs: { x: value }, backend, attrs: { begin, size } });
    return { ...piece, shape: outShape };
  });
}

function slice(args: { inputs: { x: tf.TensorInfo }; backend: WasmBackendLike; attrs: { begin: number[]; size: number[] } }): tf.TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  if (x.dtype === 'string') throw new Error('Slice of strings is not supported on wasm');
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
  // Allocate first: growing the wasm heap would invalidate views taken before.
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  const xVals = backend.typedArrayFromHeap(x);
  const outVals = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, strides);
    outVals.set(xVals.subarray(offset, offset + tf.util.sizeFromShape(size)));
    return out;
  }
  // Strided copy: recurse over the leading axes, copy the last axis as one contiguous run.
  const rank = x.shape.length;
  let outOffset = 0;
  const copy = (axis: number, inOffset: number): void => {
    if (axis === rank - 1) {
      const start = inOffset + begin[axis];
      outVals.set(xVals.subarray(start, start + size[axis]), outOffset);
      outOffset += size[axis];
      return;
    }
    for (let i = 0; i < size[axis]; i++) copy(axis + 1, inOffset + (begin[axis] + i) * strides[axis]);
  };
  copy(0, 0);
  return out;
}
