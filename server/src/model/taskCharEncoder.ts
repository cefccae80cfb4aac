// A small trainable char-CNN of the tagger itself (as in the ELMo paper's NER model: the task sees spelling through
// its own char-CNN besides the BiLM). The BiLM's char-CNN is shaped by language modelling and stays frozen while
// fine-tuning; this one learns what spelling says about entity types (-mab, -itis, -olol, digits, hyphens, case).
import * as tf from '@tensorflow/tfjs-core';
import { CharCnn } from './charCnn';
import { makeWordBatch } from './tokenEncoder';
import type { CharVocab } from './vocab';
import { WordVectorCache } from './wordVectorCache';

export interface TaskCharConfig {
  /** Char embedding size. */
  embeddingDim: number;
  /** [width, count] pairs; empty = no task char features. */
  filters: Array<[number, number]>;
  /** Characters per word including the begin/end markers; longer words are truncated. */
  maxChars: number;
}

export class TaskCharEncoder {
  readonly cnn: CharCnn;
  /** Word vectors for inference; emptied by every training pass and weight change (they make it stale). */
  private readonly cache: WordVectorCache;

  constructor(readonly name: string, readonly charVocab: CharVocab, readonly config: TaskCharConfig, cacheSize = 50_000) {
    this.cnn = new CharCnn(name, { charVocabSize: charVocab.size, embeddingDim: config.embeddingDim, filters: config.filters });
    this.cache = new WordVectorCache(this.cnn.outputDim, cacheSize);
  }

  /** F: features per token. */
  get outputDim(): number {
    return this.cnn.outputDim;
  }

  /**
   * Right-padded sentences, padded to T steps -> [B, T, F], zero at padding. Each word type is encoded once; outside
   * training, from the cache when it was seen before.
   */
  apply(batch: string[][], T: number, training: boolean): tf.Tensor3D {
    const words = makeWordBatch(batch);
    if (words.types.length === 0) return tf.zeros([batch.length, T, this.outputDim]);
    if (training) this.cache.clear(); // the step after this pass changes the weights
    // makeWordBatch pads to the longest sentence; the caller's T may be larger (never smaller).
    const index = new Int32Array(batch.length * T).fill(words.types.length);
    for (let b = 0; b < batch.length; b++) {
      for (let t = 0; t < words.T; t++) index[b * T + t] = words.typeIndex[b * words.T + t];
    }
    return tf.tidy(() => {
      const vectors = training ? this.encodeTypes(words.types) : this.cache.lookup(words.types, (w) => this.encodeTypes(w));
      const types = tf.concat([vectors, tf.zeros([1, this.outputDim])], 0); // [U+1, F]
      return tf.reshape(tf.gather(types, tf.tensor1d(index, 'int32')), [batch.length, T, this.outputDim]) as tf.Tensor3D;
    });
  }

  /**
   * words (N) -> [N, F]. Every word is padded to the same maxChars positions: the max over positions then never
   * depends on the other words of its call (windows over padding count for every word alike), so a word's vector is
   * the same in any batch, which also makes it safe to cache.
   */
  encodeTypes(words: string[]): tf.Tensor2D {
    const C = Math.max(this.cnn.minChars, this.config.maxChars);
    const ids = new Int32Array(words.length * C);
    words.forEach((w, i) => this.charVocab.encodeInto(w, this.config.maxChars, ids, i * C));
    return this.cnn.apply({ ids, N: words.length, C });
  }

  /** Forget cached vectors (after the weights change). */
  clearCache(): void {
    this.cache.clear();
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  get variables(): tf.Variable[] {
    return this.cnn.params.variables;
  }
}
