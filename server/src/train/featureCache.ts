// With a frozen BiLM its layers never change during fine-tuning, so they are computed once per sentence and kept
// in plain Float32Arrays; every epoch then runs only the task layers (the BiLM is most of the cost per token).
// Memory: numLayers x D x 4 bytes per token (e.g. 3 x 256 x 4 = 3 KB, ~360 MB for BC5CDR train).
import * as tf from '@tensorflow/tfjs-core';
import { bucketBatches } from '../model/batching';
import type { Representations, TaggerModel } from '../model/tagger';

export class BilmFeatureCache {
  /** features[i]: sentence i's layers, [numLayers, length, D] flattened. */
  private readonly features: Float32Array[];
  readonly numLayers: number;
  readonly dim: number;

  private constructor(private readonly sentences: string[][], numLayers: number, dim: number) {
    this.numLayers = numLayers;
    this.dim = dim;
    this.features = new Array(sentences.length);
  }

  /**
   * Runs the BiLM over every sentence once. Yields to the event loop between batches (progress output, Ctrl-C);
   * returns undefined when `signal` aborts first.
   */
  static async build(
    sentences: string[][],
    model: TaggerModel,
    options: { batchTokens?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
  ): Promise<BilmFeatureCache | undefined> {
    const cache = new BilmFeatureCache(sentences, model.bilm.numLayers, model.bilm.outputDim);
    const L = cache.numLayers;
    const D = cache.dim;
    const batches = bucketBatches(sentences.map((s) => s.length), { maxTokens: options.batchTokens ?? 4096 });
    let done = 0;
    for (const batch of batches) {
      if (options.signal?.aborted) return undefined;
      const layers = tf.tidy(() => {
        const reps = model.represent(batch.map((i) => sentences[i]), false);
        return tf.stack(reps.layers, 1); // [B, L, T, D]
      });
      const T = layers.shape[2] as number;
      const values = layers.dataSync() as Float32Array;
      layers.dispose();
      batch.forEach((i, b) => {
        const n = sentences[i].length;
        const out = new Float32Array(L * n * D);
        for (let l = 0; l < L; l++) out.set(values.subarray(((b * L + l) * T) * D, ((b * L + l) * T + n) * D), l * n * D);
        cache.features[i] = out;
      });
      done += batch.length;
      options.onProgress?.(done, sentences.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return cache;
  }

  /** The cached layers of sentences `indices` as a right-padded batch (tensors owned by the caller's tidy). */
  representations(indices: number[]): Representations {
    const L = this.numLayers;
    const D = this.dim;
    const B = indices.length;
    const T = Math.max(1, ...indices.map((i) => this.sentences[i].length));
    const mask = new Float32Array(B * T);
    const layers: tf.Tensor3D[] = [];
    for (let l = 0; l < L; l++) {
      const data = new Float32Array(B * T * D);
      indices.forEach((i, b) => {
        const n = this.sentences[i].length;
        data.set(this.features[i].subarray(l * n * D, (l + 1) * n * D), b * T * D);
        if (l === 0) mask.fill(1, b * T, b * T + n);
      });
      layers.push(tf.tensor3d(data, [B, T, D]));
    }
    return { layers, mask: tf.tensor2d(mask, [B, T]) };
  }
}
