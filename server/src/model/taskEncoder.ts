// The task-specific part between the BiLM and the CRF: a BiLSTM over the scalar mix of the BiLM layers (optionally
// concatenated with a trainable word embedding), with dropout, then a linear layer to per-tag emission scores.
import * as tf from '@tensorflow/tfjs-core';
import { Lstm } from './lstm';
import { glorotUniform, ParamStore, randomNormal } from './params';
import { TaskCharEncoder, type TaskCharConfig } from './taskCharEncoder';
import type { CharVocab } from './vocab';

export interface TaskEncoderConfig {
  /** Hidden units per direction of the task BiLSTM. */
  hiddenSize: number;
  /** Dropout on the BiLSTM input and output while training. */
  dropout: number;
  /** Size of a trainable word embedding concatenated to the mix (0 = none). */
  wordEmbeddingDim: number;
  /** While training, each token's word embedding is replaced by the unknown word's with this probability, so the
   *  tagger also learns to rely on spelling and context (undefined in models saved before it existed = 0). */
  wordDropout?: number;
  /** The task's own char-CNN (filters [] = none; models saved before it existed have none). */
  chars: TaskCharConfig;
}

// The word embedding matters most when the BiLM is weak: measured on BC5CDR with a random tiny BiLM, dev F1 after
// 3 epochs 0.0 without it, 69.5 with 64 dims (`bioner train --representation tiny --epochs 3`).
// Word dropout, measured on BC5CDR dev with a small BiLM after 5 minutes of pre-training, best dev F1 in 4-5 epochs:
// 74.8 without it, 79.2 at 0.1, 79.8 at 0.3 (a slower start, still rising when stopped).
export const DEFAULT_TASK_ENCODER: TaskEncoderConfig = {
  hiddenSize: 128,
  dropout: 0.3,
  wordEmbeddingDim: 64,
  wordDropout: 0.3,
  chars: { embeddingDim: 16, filters: [[2, 32], [3, 64], [4, 32]], maxChars: 30 },
};

export class TaskEncoder {
  /** The output layer and word embedding; the LSTMs keep their own. */
  readonly params = new ParamStore();
  readonly forward: Lstm;
  readonly backward: Lstm;
  readonly outputWeights: tf.Variable; // [2H, L]
  readonly outputBias: tf.Variable; // [L]
  readonly wordEmbedding?: tf.Variable; // [V, E], row 0 = unknown word
  readonly chars?: TaskCharEncoder;
  /** Draws the seeds of the training noise (dropout, word dropout): Math.random unless seeded (seedNoise). */
  private noise: () => number = Math.random;

  constructor(
    readonly inputSize: number,
    readonly numTags: number,
    readonly config: TaskEncoderConfig,
    wordVocabSize: number,
    readonly name = 'task',
    charVocab?: CharVocab,
  ) {
    if (config.chars.filters.length > 0) {
      if (!charVocab) throw new Error('the task char-CNN needs a char vocabulary (the BiLM has none)');
      this.chars = new TaskCharEncoder(`${name}/chars`, charVocab, config.chars);
      this.params.include(this.chars.cnn.params);
    }
    const lstmInput = inputSize + Math.max(0, config.wordEmbeddingDim) + (this.chars?.outputDim ?? 0);
    this.forward = new Lstm(`${name}/forward`, { inputSize: lstmInput, hiddenSize: config.hiddenSize });
    this.backward = new Lstm(`${name}/backward`, { inputSize: lstmInput, hiddenSize: config.hiddenSize });
    this.outputWeights = this.params.add(`${name}/output/kernel`, glorotUniform([2 * config.hiddenSize, numTags]));
    this.outputBias = this.params.add(`${name}/output/bias`, tf.zeros([numTags]));
    if (config.wordEmbeddingDim > 0) {
      const dim = config.wordEmbeddingDim;
      const initial = randomNormal([Math.max(1, wordVocabSize), dim], 0, 1 / Math.sqrt(dim));
      this.wordEmbedding = this.params.add(`${name}/wordEmbedding`, initial);
    }
  }

  /** Makes the training noise a function of `random` (e.g. a seeded generator): training runs can be repeated. */
  seedNoise(random: () => number): void {
    this.noise = random;
  }

  private noiseSeed(): number {
    return Math.floor(this.noise() * 2 ** 31);
  }

  get variables(): tf.Variable[] {
    return [...this.forward.variables, ...this.backward.variables, ...this.params.variables];
  }

  /**
   * mix [B,T,D], mask [B,T] (1 = token), wordIds [B,T] int32 (used only with a word embedding), the batch's
   * sentences (used only with a task char-CNN) -> emissions [B,T,L].
   */
  apply(mix: tf.Tensor3D, mask: tf.Tensor2D, wordIds: tf.Tensor2D | undefined, training: boolean, sentences?: string[][]): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = mix.shape;
      const parts: tf.Tensor3D[] = [mix];
      if (this.wordEmbedding && wordIds) {
        const p = this.config.wordDropout ?? 0;
        if (training && p > 0) wordIds = tf.mul(wordIds, tf.cast(tf.greater(tf.randomUniform(wordIds.shape, 0, 1, 'float32', this.noiseSeed()), p), 'int32')) as tf.Tensor2D;
        parts.push(tf.reshape(tf.gather(this.wordEmbedding, tf.reshape(wordIds, [-1])), [B, T, this.config.wordEmbeddingDim]));
      }
      if (this.chars) {
        if (!sentences) throw new Error('the task char-CNN needs the batch sentences');
        parts.push(this.chars.apply(sentences, T, training)); // [B,T,F]
      }
      let input = (parts.length === 1 ? mix : tf.concat(parts, 2)) as tf.Tensor3D;
      if (training && this.config.dropout > 0) input = tf.dropout(input, this.config.dropout, undefined, this.noiseSeed()) as tf.Tensor3D;
      let hidden: tf.Tensor = tf.concat([this.forward.apply(input, mask, false, training), this.backward.apply(input, mask, true, training)], 2); // [B,T,2H]
      if (training && this.config.dropout > 0) hidden = tf.dropout(hidden, this.config.dropout, undefined, this.noiseSeed());
      const flat = tf.reshape(hidden, [B * T, 2 * this.config.hiddenSize]);
      return tf.reshape(tf.add(tf.matMul(flat, this.outputWeights), this.outputBias), [B, T, this.numTags]) as tf.Tensor3D;
    });
  }

  getWeights(): Record<string, tf.Tensor> {
    return { ...this.forward.getWeights(), ...this.backward.getWeights(), ...this.params.getWeights() };
  }

  setWeights(weights: Record<string, tf.Tensor>, source?: string): void {
    this.forward.setWeights(weights, source);
    this.backward.setWeights(weights, source);
    this.params.setWeights(weights, source);
    this.chars?.clearCache();
  }

  dispose(): void {
    this.forward.dispose();
    this.backward.dispose();
    this.params.dispose();
  }
}
