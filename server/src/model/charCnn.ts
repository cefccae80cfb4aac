// Character CNN token encoder (as in ELMo): char ids -> embeddings -> per filter width, max over positions of a
// convolution -> relu -> concat. The convolution is written as unfold (concat of w shifted slices) + one plain matMul
// per width, so its gradient needs only matMul/slice (wasm has no Conv2DBackpropFilter kernel).
import * as tf from '@tensorflow/tfjs-core';
import { glorotUniform, ParamStore } from './params';

export interface CharCnnOptions {
  charVocabSize: number;
  embeddingDim: number;
  /** [width, count] pairs. */
  filters: Array<[number, number]>;
}

export class CharCnn {
  readonly params = new ParamStore();
  readonly outputDim: number;
  private readonly embedding: tf.Variable; // [V, d]
  private readonly kernels: tf.Variable[] = []; // per width w: [w*d, count]
  private readonly biases: tf.Variable[] = []; // per width: [count]

  constructor(readonly name: string, readonly options: CharCnnOptions) {
    const { charVocabSize, embeddingDim: d, filters } = options;
    this.embedding = this.params.add(`${name}/char_embedding`, tf.randomUniform([charVocabSize, d], -0.25, 0.25));
    for (const [w, n] of filters) {
      this.kernels.push(this.params.add(`${name}/conv_w${w}/kernel`, glorotUniform([w * d, n])));
      this.biases.push(this.params.add(`${name}/conv_w${w}/bias`, tf.zeros([n])));
    }
    this.outputDim = filters.reduce((s, [, n]) => s + n, 0);
  }

  /** Minimum char positions C a batch needs (the widest filter). */
  get minChars(): number {
    return Math.max(...this.options.filters.map(([w]) => w));
  }

  /** charIds [N, C] (C >= widest filter) -> [N, F]. */
  apply(charIds: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [N, C] = charIds.shape;
      const d = this.options.embeddingDim;
      // [N*C, d] -> [N, C, d]
      const x = tf.reshape(tf.gather(this.embedding, tf.reshape(charIds, [-1])), [N, C, d]);
      const pooled = this.options.filters.map(([w, n], k) => {
        const positions = C - w + 1;
        // Unfold: window j covers chars j..j+w-1 -> [N, positions, w*d]
        const windows =
          w === 1 ? x : tf.concat(Array.from({ length: w }, (_, s) => tf.slice(x, [0, s, 0], [N, positions, d])), 2);
        const conv = tf.add(tf.matMul(tf.reshape(windows, [N * positions, w * d]), this.kernels[k]), this.biases[k]);
        // [N, positions, n] -> max over positions -> [N, n]
        return tf.relu(tf.max(tf.reshape(conv, [N, positions, n]), 1));
      });
      return (pooled.length === 1 ? pooled[0] : tf.concat(pooled, 1)) as tf.Tensor2D;
    });
  }

  /** Forward FLOPs for N words of C chars. */
  flops(N: number, C: number): number {
    const d = this.options.embeddingDim;
    return this.options.filters.reduce((s, [w, n]) => s + 2 * N * (C - w + 1) * w * d * n, 0);
  }
}
