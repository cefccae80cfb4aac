// A whole LSTM direction for training as one differentiable op, on the BLAS addon (nativeBlas.ts, wasm backend).
// As tfjs ops a training step of the LSTM is ~16 kernels forward and ~30 backward per time step, each paying the
// engine's bookkeeping: once the matMuls ran on BLAS, they were only 31% of a reference-config LM training step.
// Here the forward pass is one kernel that also saves the gates and states, and its gradient is one kernel of
// backpropagation through time (server/native/bioner_blas.c), with the same maths as Lstm.applySteps.
//
//   inputs  xw   [T*B, 4H]  input projections x W + b, time-major (row t*B + b), gates [i | f | o | g]
//           u    [R, 4H]    recurrent kernel (R = P with a projection, else H)
//           proj [H, P]     optional projection of the hidden state
//           mask [T*B]      optional, 1 = token, 0 = padding (the state is carried over, the output is zero)
//   output       [T*B, R]   differentiable with respect to xw, u and proj
import * as tf from '@tensorflow/tfjs-core';
import { nativeSequenceArgs, sequenceKernelAttrs, type SequenceAttrs, type SequenceInputs, type SequenceOptions } from './lstmSequenceKernel';
import { lstmSavedWidth, nativeLstm } from './nativeBlas';
import type { WasmBackendLike } from './wasmKernels';

const FORWARD = 'BionerLstmTrainForward';
const BACKWARD = 'BionerLstmTrainBackward';

type KernelArgs<I> = { inputs: I; backend: WasmBackendLike; attrs: SequenceAttrs };

function forwardKernel({ inputs, backend, attrs }: KernelArgs<SequenceInputs>): tf.TensorInfo[] {
  const { xw, u, proj } = inputs;
  const rows = xw.shape[0];
  const hidden = xw.shape[1] / 4;
  const out = backend.makeOutput([rows, u.shape[0]], 'float32');
  const saved = backend.makeOutput([rows, lstmSavedWidth(hidden, u.shape[0], proj !== undefined)], 'float32');
  nativeLstm()!.lstmSequence(...nativeSequenceArgs(inputs, backend, attrs), backend.typedArrayFromHeap(out) as Float32Array,
    backend.typedArrayFromHeap(saved) as Float32Array);
  return [out, saved];
}

function backwardKernel({ inputs, backend, attrs }: KernelArgs<SequenceInputs & { saved: tf.TensorInfo; dy: tf.TensorInfo }>): tf.TensorInfo[] {
  const { xw, u, proj, saved, dy } = inputs;
  const dxw = backend.makeOutput(xw.shape, 'float32');
  const du = backend.makeOutput(u.shape, 'float32');
  const dproj = proj ? backend.makeOutput(proj.shape, 'float32') : undefined;
  const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  nativeLstm()!.lstmTrainBackward(...nativeSequenceArgs(inputs, backend, attrs), view(saved), view(dy), view(dxw), view(du), dproj ? view(dproj) : null);
  return dproj ? [dxw, du, dproj] : [dxw, du];
}

/** Registers the two kernels on wasm (they run only while the addon is loaded: see hasLstmTrainingKernel). */
export function installLstmTrainingKernel(backendName: string): void {
  if (backendName !== 'wasm' || tf.getKernel(FORWARD, 'wasm')) return;
  tf.registerKernel({ kernelName: FORWARD, backendName: 'wasm', kernelFunc: forwardKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: BACKWARD, backendName: 'wasm', kernelFunc: backwardKernel as unknown as tf.KernelFunc });
}

/** Whether training can use the fused op here: wasm, with the BLAS addon's LSTM functions. */
export function hasLstmTrainingKernel(): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(FORWARD, 'wasm') !== undefined && nativeLstm() !== undefined;
}

/** One direction over a time-major batch, differentiable (see the top of this file). */
export function lstmSequenceTrainable(
  xw: tf.Tensor2D,
  recurrent: tf.Tensor,
  projection: tf.Tensor | undefined,
  mask: tf.Tensor1D | undefined,
  options: SequenceOptions,
): tf.Tensor2D {
  const namedAttrs = sequenceKernelAttrs(options);
  const op = tf.customGrad((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, u, proj] = args as tf.Tensor[];
    const inputs: Record<string, tf.Tensor> = { xw: x, u, ...(proj ? { proj } : {}), ...(mask ? { mask } : {}) };
    const [out, saved] = tf.engine().runKernel(FORWARD, inputs, namedAttrs) as tf.Tensor[];
    // Kept for the backward pass (the mask and xw, whose shape it reads, may be freed by then otherwise).
    save(mask ? [saved, x, mask] : [saved, x]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], kept: tf.Tensor[]) => {
        const [savedState, savedX, savedMask] = kept;
        const backwardInputs: Record<string, tf.Tensor> = {
          xw: savedX, u, ...(proj ? { proj } : {}), ...(savedMask ? { mask: savedMask } : {}), saved: savedState, dy: dy as tf.Tensor,
        };
        return tf.engine().runKernel(BACKWARD, backwardInputs, namedAttrs) as tf.Tensor[];
      },
    };
  });
  return (projection ? op(xw, recurrent, projection) : op(xw, recurrent)) as tf.Tensor2D;
}
