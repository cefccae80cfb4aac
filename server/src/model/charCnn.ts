// Character CNN token encoder (as in ELMo): char ids -> embeddings -> per filter width, max over positions of a
// convolution -> relu -> concat. The convolution is unfold + one plain matMul per width: the unfolding happens on
// the char ids (in JS), so one embedding gather yields the windows directly, and the gradient needs only matMul and
// a scatter-add into the embedding table (wasm has no Conv2DBackpropFilter kernel, and slicing is costly there).
import * as tf from '@tensorflow/tfjs-core';
import { glorotUniform, ParamStore, randomUniform } from './params';

export interface CharCnnOptions {
  charVocabSize: number;
  embeddingDim: number;
  /** [width, count] pairs. */
  filters: Array<[number, number]>;
}

/** Char ids of N words, each right-padded (id 0) to C positions: ids[n * C + c]. */
export interface CharIds {
  ids: Int32Array;
  N: number;
  C: number;
  /**
   * Each word's own length in char positions. When given, the max-pool skips the windows that reach past
   * max(length, widest filter), so a word's output does not depend on the C it was padded to.
   */
  lengths?: Int32Array;
}

export class CharCnn {
  readonly params = new ParamStore();
  readonly outputDim: number;
  private readonly embedding: tf.Variable; // [V, d]
  private readonly kernels: tf.Variable[] = []; // per width w: [w*d, count]
  private readonly biases: tf.Variable[] = []; // per width: [count]

  constructor(readonly name: string, readonly options: CharCnnOptions) {
    const { charVocabSize, embeddingDim: d, filters } = options;
    this.embedding = this.params.add(`${name}/char_embedding`, randomUniform([charVocabSize, d], -0.25, 0.25));
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

  /** N words of C char positions (C >= widest filter) -> [N, F]. */
  apply(chars: CharIds): tf.Tensor2D {
    const { ids, N, C, lengths } = chars;
    if (C < this.minChars) throw new Error(`char-CNN needs at least ${this.minChars} char positions, got ${C}`);
    const d = this.options.embeddingDim;
    // Only words shorter than C have windows of padding; when none is (one word, or words of one length), no mask.
    const masked = lengths?.some((length) => Math.max(length, this.minChars) < C) ? lengths : undefined;
    return tf.tidy(() => {
      const pooled = this.options.filters.map(([w, n], k) => {
        const positions = C - w + 1;
        // Window p of word i covers chars p..p+w-1: ids [N * positions * w] -> embeddings [N * positions, w * d].
        const windows = tf.reshape(tf.gather(this.embedding, tf.tensor1d(unfold(ids, N, C, w), 'int32')), [N * positions, w * d]);
        const conv = tf.add(tf.matMul(windows, this.kernels[k]), this.biases[k]); // [N * positions, n]
        let perPosition = tf.reshape(conv, [N, positions, n]);
        if (masked) perPosition = tf.add(perPosition, this.windowMask(masked, positions, w)); // [N, positions, 1]
        return tf.relu(tf.max(perPosition, 1)); // [N, n]
      });
      return (pooled.length === 1 ? pooled[0] : tf.concat(pooled, 1)) as tf.Tensor2D;
    });
  }

  /**
   * [N, positions, 1]: 0 for the windows of each word as if it were padded only to max(length, widest filter), and
   * -1e9 for the windows past that (they never win the max, so they get no gradient either).
   */
  private windowMask(lengths: Int32Array, positions: number, w: number): tf.Tensor3D {
    const mask = new Float32Array(lengths.length * positions);
    lengths.forEach((length, i) => {
      const valid = Math.max(length, this.minChars) - w + 1;
      mask.fill(-1e9, i * positions + Math.min(valid, positions), (i + 1) * positions);
    });
    return tf.tensor3d(mask, [lengths.length, positions, 1]);
  }

  /** Forward FLOPs for N words of C chars. */
  flops(N: number, C: number): number {
    const d = this.options.embeddingDim;
    return this.options.filters.reduce((s, [w, n]) => s + 2 * N * (C - w + 1) * w * d * n, 0);
  }
}

/** Width-w windows of each word's char ids: out[((i * P) + p) * w + s] = ids[i * C + p + s], P = C - w + 1. */
export function unfold(ids: Int32Array, N: number, C: number, w: number): Int32Array {
  const P = C - w + 1;
  const out = new Int32Array(N * P * w);
  let o = 0;
  for (let i = 0; i < N; i++) {
    const base = i * C;
    for (let p = 0; p < P; p++) for (let s = 0; s < w; s++) out[o++] = ids[base + p + s];
  }
  return out;
}
