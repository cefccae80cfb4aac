// A unidirectional LSTM over right-padded batches, optionally with a projection of the hidden state (LSTMP, as in
// ELMo) and clipping of the cell and projected state. Used by the BiLM (both directions) and by the task BiLSTM.
//
// Speed (wasm): sequences are time-major [T*B, K] (row t*B + b), so the input projections of all steps are one
// matMul. Training runs the differentiable ops on per-step [B, K] slices, never a transposed matMul; inference runs
// the whole time loop as one kernel (engine/lstmSequenceKernel.ts) where the backend has it: measured on the shipped
// model (busy machine), one 72-token sentence 44.5 -> 25.6 ms, 11,100 tokens in batches of 4,096 1,550-1,650 ->
// 1,760-1,950 tokens/s.
import * as tf from '@tensorflow/tfjs-core';
import { hasLstmSequenceKernel, lstmSequence } from '../engine/lstmSequenceKernel';
import { hasLstmTrainingKernel, lstmSequenceTrainable } from '../engine/lstmTrainingKernel';
import { glorotUniform, ParamStore } from './params';

export interface LstmOptions {
  inputSize: number;
  hiddenSize: number;
  /** Project the hidden state to this size (the recurrent state and output become [B, P]). */
  projectionSize?: number;
  cellClip?: number;
  projClip?: number;
}

/** Per-step masks of a [B, T] mask: undefined for steps without padding (no masking ops needed there). */
function stepMasks(maskValues: ArrayLike<number>, B: number, T: number): Array<tf.Tensor2D | undefined> {
  return Array.from({ length: T }, (_, t) => {
    let padded = false;
    for (let b = 0; b < B; b++) if (maskValues[b * T + t] === 0) padded = true;
    if (!padded) return undefined;
    return tf.tensor2d(Float32Array.from({ length: B }, (_, b) => maskValues[b * T + t]), [B, 1]);
  });
}

/** [B, T, K] -> time-major [T*B, K]. */
export function toTimeMajor(x: tf.Tensor3D): tf.Tensor2D {
  const [B, T, K] = x.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(x, [1, 0, 2]), [T * B, K]));
}

/** Time-major [T*B, K] -> [B, T, K]. */
export function fromTimeMajor(x: tf.Tensor2D, B: number): tf.Tensor3D {
  const [rows, K] = x.shape;
  return tf.tidy(() => tf.transpose(tf.reshape(x, [rows / B, B, K]), [1, 0, 2]));
}

/** A [B, T] mask (batch-major values) as a time-major [T*B] tensor, or undefined when nothing is padded. */
function timeMajorMask(maskValues: ArrayLike<number>, B: number, T: number): tf.Tensor1D | undefined {
  const values = new Float32Array(T * B);
  let padded = false;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      values[t * B + b] = maskValues[b * T + t];
      if (maskValues[b * T + t] === 0) padded = true;
    }
  }
  return padded ? tf.tensor1d(values) : undefined;
}

export class Lstm {
  readonly params = new ParamStore();
  /** Size of the output and of the recurrent state: the projection size, or the hidden size. */
  readonly outputSize: number;
  private readonly inputKernel: tf.Variable; // [I, 4H], gate order [i | f | o | g]
  private readonly recurrentKernel: tf.Variable; // [P|H, 4H]
  private readonly bias: tf.Variable; // [4H]
  private readonly projection?: tf.Variable; // [H, P]

  constructor(readonly name: string, readonly options: LstmOptions) {
    const { inputSize: I, hiddenSize: H, projectionSize } = options;
    this.outputSize = projectionSize ?? H;
    this.inputKernel = this.params.add(`${name}/input_kernel`, glorotUniform([I, 4 * H]));
    this.recurrentKernel = this.params.add(`${name}/recurrent_kernel`, glorotUniform([this.outputSize, 4 * H]));
    // Forget-gate bias 1 (Jozefowicz et al. 2015): remember by default early in training.
    this.bias = this.params.add(`${name}/bias`, tf.tidy(() => tf.concat([tf.zeros([H]), tf.ones([H]), tf.zeros([2 * H])])));
    if (projectionSize !== undefined) this.projection = this.params.add(`${name}/projection`, glorotUniform([H, projectionSize]));
  }

  get variables(): tf.Variable[] {
    return this.params.variables;
  }

  getWeights(): Record<string, tf.Tensor> {
    return this.params.getWeights();
  }

  setWeights(weights: Record<string, tf.Tensor>, source?: string): void {
    this.params.setWeights(weights, source);
  }

  /**
   * inputs [B, T, I], mask [B, T] (1 = token, 0 = right padding) -> outputs [B, T, P|H], zero at padding.
   * `reverse` runs right-to-left; where mask = 0 the state is kept unchanged, so the padding of a shorter sentence
   * never reaches its real tokens. `training`: differentiable ops only.
   */
  apply(inputs: tf.Tensor3D, mask: tf.Tensor2D, reverse: boolean, training = true): tf.Tensor3D {
    const B = inputs.shape[0];
    const maskValues = mask.dataSync();
    return tf.tidy(() => fromTimeMajor(this.applyTimeMajor(toTimeMajor(inputs), maskValues, B, reverse, training), B));
  }

  /**
   * The same on time-major inputs [T*B, I] (row t*B + b), with the [B, T] mask's values -> [T*B, P|H]. Outside
   * training, on backends that have it, the whole sequence is one kernel after one input matMul; in training too
   * when the BLAS addon is loaded (engine/lstmTrainingKernel.ts), else the differentiable ops of applySteps.
   */
  applyTimeMajor(inputs: tf.Tensor2D, maskValues: ArrayLike<number>, B: number, reverse: boolean, training = true): tf.Tensor2D {
    const T = inputs.shape[0] / B;
    const { cellClip, projClip } = this.options;
    return tf.tidy(() => {
      // The input projections of all steps as one matMul: [T*B, I] x [I, 4H] + b -> [T*B, 4H].
      const xw = tf.add(tf.matMul(inputs, this.inputKernel), this.bias) as tf.Tensor2D;
      const attrs = { batch: B, reverse, cellClip, projClip };
      if (!training && hasLstmSequenceKernel()) {
        return lstmSequence(xw, this.recurrentKernel, this.projection, timeMajorMask(maskValues, B, T), attrs);
      }
      // With the BLAS addon, training too runs the sequence as one op (forward and backpropagation through time).
      if (training && hasLstmTrainingKernel()) {
        return lstmSequenceTrainable(xw, this.recurrentKernel, this.projection, timeMajorMask(maskValues, B, T), attrs);
      }
      // split's gradient is one concat, so the backward pass also does the input projections as one matMul.
      const steps = tf.split(xw, T, 0) as tf.Tensor2D[];
      return tf.concat(this.applySteps(steps, stepMasks(maskValues, B, T), reverse), 0) as tf.Tensor2D;
    });
  }

  /** The differentiable recurrence on a time-major list: the steps' input projections T x [B, 4H], masks per step
   *  ([B, 1], or undefined when the step has no padding) -> T x [B, P|H]. */
  applySteps(inputProjections: tf.Tensor2D[], masks: Array<tf.Tensor2D | undefined>, reverse: boolean): tf.Tensor2D[] {
    const T = inputProjections.length;
    const B = inputProjections[0].shape[0];
    const H = this.options.hiddenSize;
    const P = this.outputSize;
    const { cellClip, projClip } = this.options;
    return tf.tidy(() => {
      let h: tf.Tensor2D = tf.zeros([B, P]);
      let c: tf.Tensor2D = tf.zeros([B, H]);
      const outputs: tf.Tensor2D[] = new Array(T);
      for (let k = 0; k < T; k++) {
        const t = reverse ? T - 1 - k : k;
        // x W + b ([B, 4H]) + [B, P] x [P, 4H]
        const gates = tf.add(inputProjections[t], tf.matMul(h, this.recurrentKernel));
        const ifo = tf.sigmoid(tf.slice(gates, [0, 0], [B, 3 * H]));
        const g = tf.tanh(tf.slice(gates, [0, 3 * H], [B, H]));
        const i = tf.slice(ifo, [0, 0], [B, H]);
        const f = tf.slice(ifo, [0, H], [B, H]);
        const o = tf.slice(ifo, [0, 2 * H], [B, H]);
        let cNew: tf.Tensor2D = tf.add(tf.mul(f, c), tf.mul(i, g));
        if (cellClip !== undefined) cNew = tf.clipByValue(cNew, -cellClip, cellClip);
        let hNew: tf.Tensor2D = tf.mul(o, tf.tanh(cNew));
        if (this.projection) {
          hNew = tf.matMul(hNew, this.projection);
          if (projClip !== undefined) hNew = tf.clipByValue(hNew, -projClip, projClip);
        }
        const m = masks[t];
        if (m) {
          c = tf.add(c, tf.mul(m, tf.sub(cNew, c)));
          h = tf.add(h, tf.mul(m, tf.sub(hNew, h)));
          outputs[t] = tf.mul(hNew, m);
        } else {
          c = cNew;
          h = hNew;
          outputs[t] = hNew;
        }
      }
      return outputs;
    });
  }

  /** Forward FLOPs per token. */
  flopsPerToken(): number {
    const { inputSize: I, hiddenSize: H } = this.options;
    return 2 * I * 4 * H + 2 * this.outputSize * 4 * H + (this.projection ? 2 * H * this.outputSize : 0);
  }

  dispose(): void {
    this.params.dispose();
  }
}
