// A unidirectional LSTM over right-padded batches, optionally with a projection of the hidden state (LSTMP, as in
// ELMo) and clipping of the cell and projected state. Used by the BiLM (both directions) and by the task BiLSTM.
//
// Speed (wasm): the input projections of all time steps are one big [B*T, I] x [I, 4H] matMul; each step then does
// one [B, P] x [P, 4H] recurrent matMul. No transposed matMuls anywhere.
import * as tf from '@tensorflow/tfjs-core';
import { glorotUniform, ParamStore } from './params';

export interface LstmOptions {
  inputSize: number;
  hiddenSize: number;
  /** Project the hidden state to this size (the recurrent state and output become [B, P]). */
  projectionSize?: number;
  cellClip?: number;
  projClip?: number;
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
    this.bias = this.params.add(
      `${name}/bias`,
      tf.concat([tf.zeros([H]), tf.ones([H]), tf.zeros([2 * H])]),
    );
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
   * never reaches its real tokens.
   */
  apply(inputs: tf.Tensor3D, mask: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
    const [B, T, I] = inputs.shape;
    const H = this.options.hiddenSize;
    const P = this.outputSize;
    // Which steps have padding somewhere (read once on the CPU side): full steps skip the masking ops.
    const maskValues = mask.dataSync();
    const stepHasPadding = Array.from({ length: T }, (_, t) => {
      for (let b = 0; b < B; b++) if (maskValues[b * T + t] === 0) return true;
      return false;
    });
    return tf.tidy(() => {
      // [B*T, I] x [I, 4H] + b -> [B, T, 4H] -> time-major T x [B, 4H]
      const projected = tf.add(tf.matMul(tf.reshape(inputs, [B * T, I]), this.inputKernel), this.bias);
      const steps = tf.unstack(tf.transpose(tf.reshape(projected, [B, T, 4 * H]), [1, 0, 2]));
      const stepMasks = stepHasPadding.some((p) => p) ? tf.unstack(tf.reshape(tf.transpose(mask), [T, B, 1])) : [];
      let h: tf.Tensor2D = tf.zeros([B, P]);
      let c: tf.Tensor2D = tf.zeros([B, H]);
      const outputs: tf.Tensor2D[] = new Array(T);
      const { cellClip, projClip } = this.options;
      for (let k = 0; k < T; k++) {
        const t = reverse ? T - 1 - k : k;
        const gates = tf.add(steps[t], tf.matMul(h, this.recurrentKernel)); // [B, 4H]
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
        if (stepHasPadding[t]) {
          const m = stepMasks[t]; // [B, 1]
          c = tf.add(c, tf.mul(m, tf.sub(cNew, c)));
          h = tf.add(h, tf.mul(m, tf.sub(hNew, h)));
          outputs[t] = tf.mul(hNew, m);
        } else {
          c = cNew;
          h = hNew;
          outputs[t] = hNew;
        }
      }
      return tf.stack(outputs, 1) as tf.Tensor3D;
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
