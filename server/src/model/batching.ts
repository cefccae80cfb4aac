// Length bucketing: sentences of similar length go into the same batch, so little compute is spent on padding.
// A batch holds at most `maxTokens` padded positions (B * longest) and at most `maxSentences` sentences.

export interface BatchingOptions {
  maxTokens: number;
  maxSentences?: number;
  /** Shuffle within similar lengths and shuffle the batch order (training). */
  shuffle?: boolean;
  random?: () => number;
}

/** Groups item indices into batches by length. Every index appears in exactly one batch. */
export function bucketBatches(lengths: number[], options: BatchingOptions): number[][] {
  const random = options.random ?? Math.random;
  const maxSentences = options.maxSentences ?? Infinity;
  // Sort by length; with shuffle, a random key breaks ties (and +-1 jitter varies the groupings between epochs).
  const keys = lengths.map((len, i) => ({ i, key: options.shuffle ? len + random() * 2 : len }));
  keys.sort((a, b) => a.key - b.key);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const { i } of keys) {
    const len = Math.max(1, lengths[i]);
    const nextLongest = Math.max(longest, len);
    if (current.length && ((current.length + 1) * nextLongest > options.maxTokens || current.length + 1 > maxSentences)) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(i);
    longest = Math.max(longest, len);
  }
  if (current.length) batches.push(current);
  if (options.shuffle) {
    for (let k = batches.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [batches[k], batches[j]] = [batches[j], batches[k]];
    }
  }
  return batches;
}

/** A seeded PRNG (mulberry32), for reproducible shuffles and sampling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Longer token sequences go through the model in pieces of this many tokens (tagging, evaluation and training alike):
 * it bounds the memory and LSTM time of one sequence, so a 1M-token "sentence" cannot exhaust the wasm heap.
 */
export const MAX_TOKENS_PER_PIECE = 200;

/** [start, end) token ranges that cut a sequence of `length` tokens into pieces of at most `max` (one for 0). */
export function pieceRanges(length: number, max = MAX_TOKENS_PER_PIECE): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < length || ranges.length === 0; start += max) ranges.push([start, Math.min(length, start + max)]);
  return ranges;
}
