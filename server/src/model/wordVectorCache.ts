// An LRU cache of finished per-word vectors for inference. A word's vector from a char-CNN (and highway/projection)
// depends on its spelling only, so tagging computes each word type once; only the missing ones go to the model.
import * as tf from '@tensorflow/tfjs-core';
import { LRUCache } from 'lru-cache';

export class WordVectorCache {
  private readonly cache: LRUCache<string, Float32Array>;

  /** dim: the vectors' length; maxWords: how many word types are kept. */
  constructor(readonly dim: number, maxWords: number) {
    this.cache = new LRUCache({ max: Math.max(1, maxWords) });
  }

  /** [U, dim] vectors of `words` (unique), calling `compute` (N words -> [N, dim]) only on those not cached. */
  lookup(words: string[], compute: (missing: string[]) => tf.Tensor2D): tf.Tensor2D {
    const D = this.dim;
    const missing = words.filter((w) => !this.cache.has(w));
    // Kept apart from the cache: a batch larger than the cache evicts its own first words before they are read.
    const fresh = new Map<string, Float32Array>();
    if (missing.length) {
      const computed = compute(missing);
      const values = computed.dataSync() as Float32Array;
      computed.dispose();
      missing.forEach((w, i) => {
        const v = values.slice(i * D, (i + 1) * D);
        fresh.set(w, v);
        this.cache.set(w, v);
      });
    }
    const out = new Float32Array(words.length * D);
    words.forEach((w, i) => out.set(fresh.get(w) ?? this.cache.get(w)!, i * D));
    return tf.tensor2d(out, [words.length, D]);
  }

  /** Forget every vector (the weights changed). */
  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }
}
