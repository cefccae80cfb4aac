// Context-independent token representations: char-CNN -> highway -> linear projection to P. Computed once per
// unique word type in a batch (dedupe, then gather), with an LRU cache of finished vectors for inference.
import * as tf from '@tensorflow/tfjs-core';
import { CharCnn, type CharIds } from './charCnn';
import type { RepresentationConfig } from './config';
import { Highway } from './highway';
import { glorotUniform, ParamStore } from './params';
import { CharVocab } from './vocab';
import { WordVectorCache } from './wordVectorCache';

/** A right-padded batch of word sequences, deduplicated into word types. */
export interface WordBatch {
  B: number;
  T: number;
  /** Unique words of the batch. */
  types: string[];
  /** [B*T] (batch-major) index into `types` per position; types.length (one past the end) at padding. */
  typeIndex: Int32Array;
  /** [B*T] 1 for a token, 0 for padding. */
  mask: Float32Array;
  lengths: number[];
}

export function makeWordBatch(words: string[][]): WordBatch {
  const B = words.length;
  const T = Math.max(1, ...words.map((s) => s.length));
  const ids = new Map<string, number>();
  const typeIndex = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  const padding: number[] = [];
  words.forEach((sentence, b) => {
    sentence.forEach((w, t) => {
      let id = ids.get(w);
      if (id === undefined) ids.set(w, (id = ids.size));
      typeIndex[b * T + t] = id;
      mask[b * T + t] = 1;
    });
    for (let t = sentence.length; t < T; t++) padding.push(b * T + t);
  });
  for (const i of padding) typeIndex[i] = ids.size;
  return { B, T, types: [...ids.keys()], typeIndex, mask, lengths: words.map((s) => s.length) };
}

/** Words per char-CNN call: small enough that similar lengths share a call, large enough for efficient matMuls. */
const CHAR_GROUP_SIZE = 256;

export class TokenEncoder {
  readonly params = new ParamStore();
  readonly charCnn: CharCnn;
  readonly highway: Highway;
  private readonly projection: tf.Variable; // [F, P]
  private readonly projectionBias: tf.Variable; // [P]
  private readonly cache: WordVectorCache;

  constructor(readonly name: string, readonly config: RepresentationConfig, readonly charVocab: CharVocab, cacheSize = 50_000) {
    this.charCnn = new CharCnn(`${name}/char_cnn`, {
      charVocabSize: charVocab.size,
      embeddingDim: config.charEmbeddingDim,
      filters: config.charFilters,
    });
    const F = this.charCnn.outputDim;
    this.highway = new Highway(`${name}/highway`, F, config.highwayLayers);
    this.params.include(this.charCnn.params);
    this.params.include(this.highway.params);
    this.projection = this.params.add(`${name}/projection/kernel`, glorotUniform([F, config.projectionDim]));
    this.projectionBias = this.params.add(`${name}/projection/bias`, tf.zeros([config.projectionDim]));
    this.cache = new WordVectorCache(config.projectionDim, cacheSize);
  }

  /**
   * Char ids of words, padded to C = the longest encoded word (at least the widest filter). With maskCharPadding,
   * each word's length goes along: the char-CNN masks the padding, so a word's vector never depends on the words
   * computed with it.
   */
  charIds(words: string[]): CharIds {
    const maxChars = this.config.maxCharsPerWord;
    const lengths = Int32Array.from(words, (w) => CharVocab.encodedLength(w, maxChars));
    let C = this.charCnn.minChars;
    for (const length of lengths) C = Math.max(C, length); // a loop, not Math.max(...lengths): no argument limit
    const ids = new Int32Array(words.length * C);
    words.forEach((w, i) => this.charVocab.encodeInto(w, maxChars, ids, i * C));
    return { ids, N: words.length, C, lengths: this.config.maskCharPadding ? lengths : undefined };
  }

  /**
   * words (N) -> [N, P], differentiable. The char-CNN runs on groups of words of similar length, each padded only
   * to its own longest word (a batch's longest word is often 3x its mean length); the padding is masked when
   * the config says so.
   */
  encodeTypes(words: string[]): tf.Tensor2D {
    return tf.tidy(() => {
      const maxChars = this.config.maxCharsPerWord;
      const lengths = words.map((w) => CharVocab.encodedLength(w, maxChars));
      const order = words.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
      const groups: number[][] = [];
      for (let i = 0; i < order.length; i += CHAR_GROUP_SIZE) groups.push(order.slice(i, i + CHAR_GROUP_SIZE));
      const parts = groups.map((g) => this.charCnn.apply(this.charIds(g.map((i) => words[i]))));
      let F = parts.length === 1 ? parts[0] : tf.concat(parts, 0); // [N, F] in length order
      if (order.some((o, i) => o !== i)) {
        // Back to the callers' order: row i of the result is sorted row inverse[i].
        const inverse = new Int32Array(words.length);
        order.forEach((original, sorted) => (inverse[original] = sorted));
        F = tf.gather(F, tf.tensor1d(inverse, 'int32'));
      }
      return tf.add(tf.matMul(this.highway.apply(F), this.projection), this.projectionBias) as tf.Tensor2D;
    });
  }

  /**
   * Vectors of the batch's word types plus a zero row for padding: [U + 1, P]. Uses the cache unless training.
   * Gather from it with batch.typeIndex.
   */
  typeVectors(batch: WordBatch, training: boolean): tf.Tensor2D {
    const P = this.config.projectionDim;
    return tf.tidy(() => {
      const vectors = training ? this.encodeTypes(batch.types) : this.cache.lookup(batch.types, (w) => this.encodeTypes(w));
      return tf.concat([vectors, tf.zeros([1, P])], 0) as tf.Tensor2D;
    });
  }

  /** Token representations [B, T, P] of a batch, zero at padding. */
  encode(batch: WordBatch, training: boolean, typeVectors?: tf.Tensor2D): tf.Tensor3D {
    const P = this.config.projectionDim;
    return tf.tidy(() => {
      const vectors = typeVectors ?? this.typeVectors(batch, training);
      const gathered = tf.gather(vectors, tf.tensor1d(batch.typeIndex, 'int32')); // [B*T, P]
      return tf.reshape(gathered, [batch.B, batch.T, P]) as tf.Tensor3D;
    });
  }

  /** The same time-major: [T*B, P], row t*B + b. */
  encodeTimeMajor(batch: WordBatch, typeVectors: tf.Tensor2D): tf.Tensor2D {
    const { B, T, typeIndex } = batch;
    const rows = new Int32Array(T * B);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) rows[t * B + b] = typeIndex[b * T + t];
    return tf.tidy(() => tf.gather(typeVectors, tf.tensor1d(rows, 'int32')) as tf.Tensor2D);
  }

  /** Forget cached vectors (after the weights change). */
  clearCache(): void {
    this.cache.clear();
  }

  get cacheSize(): number {
    return this.cache.size;
  }
}
