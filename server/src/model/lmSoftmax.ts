// The language-model objective: the forward LM predicts the next word, the backward LM the previous word, over a
// restricted word vocabulary (out-of-vocabulary targets are <unk>). Training uses a sampled softmax with negatives
// shared across the batch, drawn log-uniformly (the vocabulary is sorted by frequency), with the usual log expected
// count correction and removal of accidental hits. Perplexity on held-out text uses the exact full softmax.
// Each direction has its own output embedding [V, P] and bias [V].
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, randomNormal } from './params';
import { BOS_WORD, EOS_WORD, type WordVocab } from './vocab';

/** The positions of real tokens in a flattened [B*T] batch and their LM targets. */
export interface LmTargets {
  /** [N] time-major row indices t*B + b of real tokens (rows of BiLM.run's top outputs). */
  positions: Int32Array;
  /** [N] next-word ids (forward LM). */
  next: Int32Array;
  /** [N] previous-word ids (backward LM). */
  previous: Int32Array;
}

export function lmTargets(words: string[][], vocab: WordVocab): LmTargets {
  const N = words.reduce((s, w) => s + w.length, 0);
  const positions = new Int32Array(N);
  const next = new Int32Array(N);
  const previous = new Int32Array(N);
  const B = words.length;
  const bos = vocab.id(BOS_WORD);
  const eos = vocab.id(EOS_WORD);
  let n = 0;
  words.forEach((sentence, b) => {
    const ids = sentence.map((w) => vocab.id(w));
    for (let t = 0; t < ids.length; t++, n++) {
      positions[n] = t * B + b;
      next[n] = t + 1 < ids.length ? ids[t + 1] : eos;
      previous[n] = t > 0 ? ids[t - 1] : bos;
    }
  });
  return { positions, next, previous };
}

/** Log-uniform (Zipfian) sampler over ids [0, V): P(k) = log((k+2)/(k+1)) / log(V+1). */
export class LogUniformSampler {
  private readonly logRange: number;
  constructor(readonly V: number, private random: () => number = Math.random) {
    this.logRange = Math.log(V + 1);
  }
  probability(k: number): number {
    return Math.log((k + 2) / (k + 1)) / this.logRange;
  }
  /** S ids, drawn with repetition. */
  sample(S: number): Int32Array {
    const out = new Int32Array(S);
    for (let i = 0; i < S; i++) out[i] = Math.min(this.V - 1, Math.floor(Math.exp(this.random() * this.logRange)) - 1);
    return out;
  }
}

export class LmSoftmax {
  readonly params = new ParamStore();
  readonly embedding: tf.Variable; // [V, P]
  readonly bias: tf.Variable; // [V]
  private readonly sampler: LogUniformSampler;

  constructor(readonly name: string, readonly vocabSize: number, readonly dim: number, random?: () => number) {
    this.embedding = this.params.add(`${name}/embedding`, randomNormal([vocabSize, dim], 0, 1 / Math.sqrt(dim)));
    // Start from the log-uniform prior, so the first steps do not spend their effort learning unigram frequencies.
    const prior = new LogUniformSampler(vocabSize);
    const logPrior = Float32Array.from({ length: vocabSize }, (_, k) => Math.log(prior.probability(k)));
    this.bias = this.params.add(`${name}/bias`, tf.tensor1d(logPrior));
    this.sampler = new LogUniformSampler(vocabSize, random);
  }

  /** Mean cross-entropy over N rows with a sampled softmax of S shared negatives. h [N, P], targets [N]. */
  sampledLoss(h: tf.Tensor2D, targets: Int32Array, negatives: number): tf.Scalar {
    const S = Math.min(negatives, this.vocabSize);
    const negIds = this.sampler.sample(S);
    // log expected counts: log(S * P(k)).
    const logQ = (ids: Int32Array) => Float32Array.from(ids, (k) => Math.log(S * this.sampler.probability(k)));
    return tf.tidy(() => {
      const targetIds = tf.tensor1d(targets, 'int32');
      const sampleIds = tf.tensor1d(negIds, 'int32');
      const trueLogit = tf.sub(
        tf.add(tf.sum(tf.mul(h, tf.gather(this.embedding, targetIds)), 1), tf.gather(this.bias, targetIds)),
        tf.tensor1d(logQ(targets)),
      ); // [N]
      const negEmbeddingT = tf.transpose(tf.gather(this.embedding, sampleIds)); // [P, S]
      let negLogits = tf.add(tf.matMul(h, negEmbeddingT), tf.sub(tf.gather(this.bias, sampleIds), tf.tensor1d(logQ(negIds)))); // [N, S]
      // A sampled id equal to the row's target is not a negative: push it out of the softmax.
      const hits = accidentalHits(targets, negIds);
      if (hits) negLogits = tf.sub(negLogits, hits);
      const logits = tf.concat([tf.reshape(trueLogit, [-1, 1]), negLogits], 1);
      return tf.mean(tf.sub(tf.logSumExp(logits, 1), trueLogit)) as tf.Scalar;
    });
  }

  /**
   * Total exact negative log-likelihood (nats) of N rows, for evaluation (no gradient): the [N, V] logits are made
   * `chunkRows` rows at a time, so a 20K-word vocabulary never needs a [3000, 20000] tensor (the wasm heap only
   * grows, and a long run must not run out of it at its final evaluation).
   */
  evalNll(h: tf.Tensor2D, targets: Int32Array, chunkRows = 256): number {
    const N = h.shape[0];
    const embeddingT = tf.transpose(this.embedding); // [P, V]
    let total = 0;
    for (let start = 0; start < N; start += chunkRows) {
      const rows = Math.min(chunkRows, N - start);
      total += tf.tidy(() => {
        const hc = tf.slice(h, [start, 0], [rows, h.shape[1]]);
        const logits = tf.add(tf.matMul(hc, embeddingT), this.bias); // [rows, V]
        const ids = tf.tensor1d(targets.subarray(start, start + rows), 'int32');
        const trueLogit = tf.add(tf.sum(tf.mul(hc, tf.gather(this.embedding, ids)), 1), tf.gather(this.bias, ids));
        return tf.sum(tf.sub(tf.logSumExp(logits, 1), trueLogit)).dataSync()[0];
      });
    }
    embeddingT.dispose();
    return total;
  }

  /** Mean exact cross-entropy (nats) over N rows: h [N, P], targets [N]. */
  fullLoss(h: tf.Tensor2D, targets: Int32Array): tf.Scalar {
    return tf.tidy(() => {
      const logits = tf.add(tf.matMul(h, tf.transpose(this.embedding)), this.bias); // [N, V]
      const targetIds = tf.tensor1d(targets, 'int32');
      const trueLogit = tf.add(tf.sum(tf.mul(h, tf.gather(this.embedding, targetIds)), 1), tf.gather(this.bias, targetIds));
      return tf.mean(tf.sub(tf.logSumExp(logits, 1), trueLogit)) as tf.Scalar;
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** [N, S] with 1e4 where negative s equals row n's target (undefined when there is none). Computed in JS: a
 *  broadcast Equal is a slow path on wasm. */
function accidentalHits(targets: Int32Array, negIds: Int32Array): tf.Tensor2D | undefined {
  const S = negIds.length;
  const where = new Map<number, number[]>();
  negIds.forEach((id, s) => {
    const list = where.get(id);
    if (list) list.push(s);
    else where.set(id, [s]);
  });
  let values: Float32Array | undefined;
  targets.forEach((target, n) => {
    const list = where.get(target);
    if (!list) return;
    values ??= new Float32Array(targets.length * S);
    for (const s of list) values[n * S + s] = 1e4;
  });
  return values ? tf.tensor2d(values, [targets.length, S]) : undefined;
}

/** Rows of a [rows, P] tensor -> [N, P]. */
export function gatherPositions(x: tf.Tensor2D, positions: Int32Array): tf.Tensor2D {
  return tf.tidy(() => tf.gather(x, tf.tensor1d(positions, 'int32')) as tf.Tensor2D);
}
