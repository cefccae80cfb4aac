// Length bucketing (model/batching.ts): every index in exactly one batch, at most maxTokens padded positions per batch
// (batch size x its longest sentence, lengths under 1 counting as 1) unless one sentence alone is longer, at most
// maxSentences sentences, similar lengths together; the seeded shuffle and the mulberry32 PRNG are reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketBatches, seededRandom } from '../../server/src/model/batching';

/** Padded positions of a batch, as the model pays for them: sentences x longest (at least 1 each). */
const padded = (lengths: number[], batch: number[]): number => batch.length * Math.max(...batch.map((i) => Math.max(1, lengths[i])));

/** Every index 0..n-1 appears exactly once over all batches. */
function assertPartition(batches: number[][], n: number): void {
  const seen = batches.flat().sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: n }, (_, i) => i));
  for (const batch of batches) assert.ok(batch.length > 0, 'no empty batch');
}

test('sentences sorted by length are cut where one more would pass maxTokens padded positions', () => {
  // Sorted: 4 (len 1), 1 (3), 3 (3), 0 (5), 2 (8), 5 (10), ties kept in index order. Limit 12:
  // [4] -> +1: 2x3 = 6 -> +3: 3x3 = 9 -> +0: 4x5 = 20 > 12, cut; [0] -> +2: 2x8 = 16, cut; [2] -> +5: 2x10 = 20, cut.
  const lengths = [5, 3, 8, 3, 1, 10];
  const batches = bucketBatches(lengths, { maxTokens: 12 });
  assert.deepEqual(batches, [[4, 1, 3], [0], [2], [5]]);
  assertPartition(batches, lengths.length);
  for (const b of batches) assert.ok(padded(lengths, b) <= 12);
});

test('a batch of exactly maxTokens padded positions is allowed (the cut is at ">")', () => {
  assert.deepEqual(bucketBatches([4, 4, 4], { maxTokens: 12 }), [[0, 1, 2]]);
  assert.deepEqual(bucketBatches([4, 4, 4], { maxTokens: 11 }), [[0, 1], [2]]);
  assert.deepEqual(bucketBatches([4, 4, 4], { maxTokens: 8 }), [[0, 1], [2]]);
  assert.deepEqual(bucketBatches([4, 4, 4], { maxTokens: 7 }), [[0], [1], [2]]);
});

test('empty input gives no batches', () => {
  assert.deepEqual(bucketBatches([], { maxTokens: 100 }), []);
  assert.deepEqual(bucketBatches([], { maxTokens: 100, shuffle: true, random: seededRandom(1) }), []);
});

test('a sentence longer than the limit gets a batch of its own, and the others are not disturbed', () => {
  // 50 > 10: it can never share; the two short ones (2 x 3 = 6) still go together.
  assert.deepEqual(bucketBatches([3, 50, 3], { maxTokens: 10 }), [[0, 2], [1]]);
  // Two over-long sentences: one batch each, even though they are equal.
  assert.deepEqual(bucketBatches([20, 20], { maxTokens: 10 }), [[0], [1]]);
  // A lone sentence over the limit still comes back (never dropped).
  assert.deepEqual(bucketBatches([99], { maxTokens: 1 }), [[0]]);
});

test('empty sentences count as one padded position each', () => {
  // Without the max(1, len) rule all three would fit any limit (3 x 0 = 0).
  assert.deepEqual(bucketBatches([0, 0, 0], { maxTokens: 2 }), [[0, 1], [2]]);
  assert.deepEqual(bucketBatches([0, 2, 0], { maxTokens: 3 }), [[0, 2], [1]]);
});

test('maxSentences caps a batch even when tokens would allow more', () => {
  assert.deepEqual(bucketBatches([1, 1, 1, 1, 1], { maxTokens: 100, maxSentences: 2 }), [[0, 1], [2, 3], [4]]);
  // Whichever limit bites first: 3 x 4 = 12 <= 12 but maxSentences 2.
  assert.deepEqual(bucketBatches([4, 4, 4], { maxTokens: 12, maxSentences: 2 }), [[0, 1], [2]]);
});

test('similar lengths are grouped: long and short sentences interleaved in the input end up apart', () => {
  const lengths = [2, 30, 2, 30, 2, 30, 2, 30];
  const batches = bucketBatches(lengths, { maxTokens: 60 });
  // 4 x 2 = 8 fits; adding a 30 would make 5 x 30 = 150; the 30s pair up (2 x 30 = 60).
  assert.deepEqual(batches, [[0, 2, 4, 6], [1, 3], [5, 7]]);
  const total = batches.reduce((n, b) => n + padded(lengths, b), 0);
  assert.equal(total, 8 + 60 + 60); // no padding at all: every batch holds equal lengths
});

test('partition and limit hold on many random lengths, with and without shuffle', () => {
  const random = seededRandom(7);
  for (let trial = 0; trial < 50; trial++) {
    const n = Math.floor(random() * 200);
    const lengths = Array.from({ length: n }, () => Math.floor(random() * 80));
    const maxTokens = 40 + Math.floor(random() * 400);
    for (const shuffle of [false, true]) {
      const batches = bucketBatches(lengths, { maxTokens, maxSentences: 16, shuffle, random: seededRandom(trial) });
      assertPartition(batches, n);
      for (const b of batches) {
        assert.ok(b.length <= 16);
        if (b.length > 1) assert.ok(padded(lengths, b) <= maxTokens, `${padded(lengths, b)} > ${maxTokens}`);
      }
    }
  }
});

test('without shuffle the batches ascend in length and never depend on random', () => {
  const lengths = [9, 1, 5, 7, 3, 2, 8];
  let called = 0;
  const counting = () => (called++, 0.5);
  const batches = bucketBatches(lengths, { maxTokens: 10, random: counting });
  assert.equal(called, 0);
  // Sorted 1 (1), 5 (2), 4 (3), 2 (5), 3 (7), 6 (8), 0 (9): [1, 5, 4] = 3 x 3 = 9; + len 5 -> 20, cut; ...
  assert.deepEqual(batches, [[1, 5, 4], [2], [3], [6], [0]]);
});

test('shuffle with an injected random: keys len + 2 x random, then Fisher-Yates over the batches', () => {
  // Sorted 1 (1), 4 (1), 0 (3), 2 (3), 3 (8); limit 6: [1, 4] = 2, + len 3 -> 9, cut; [0, 2] = 6, + 8 -> 16, cut; [3].
  const lengths = [3, 1, 3, 8, 1];
  const plain = bucketBatches(lengths, { maxTokens: 6 });
  assert.deepEqual(plain, [[1, 4], [0, 2], [3]]);
  // random() = 0: keys are the lengths, same groups; Fisher-Yates with j = floor(0 x (k + 1)) = 0 swaps
  // k=2 <-> 0 then k=1 <-> 0: [A, B, C] -> [C, B, A] -> [B, C, A].
  assert.deepEqual(bucketBatches(lengths, { maxTokens: 6, shuffle: true, random: () => 0 }), [[0, 2], [3], [1, 4]]);
  // random() = 0.999: every key shifts by the same 1.998 (same order), and j = floor(0.999 x (k + 1)) = k: no swap.
  assert.deepEqual(bucketBatches(lengths, { maxTokens: 6, shuffle: true, random: () => 0.999 }), plain);
});

test('shuffle jitter is under 2: lengths 2 or more apart keep their groups, only the batch order changes', () => {
  // Keys are len + random() * 2 in [len, len + 2): a 10 never sorts after a 20, so the groups are those of the
  // unshuffled run; equal lengths (ties) may swap places inside their group.
  const lengths = [10, 20, 10, 30, 20, 30, 10];
  const plain = bucketBatches(lengths, { maxTokens: 60 });
  assert.deepEqual(plain, [[0, 2, 6], [1, 4], [3, 5]]);
  const sortedGroups = (batches: number[][]) => batches.map((b) => [...b].sort((x, y) => x - y)).sort((a, b) => a[0] - b[0]);
  for (let seed = 0; seed < 20; seed++) {
    const shuffled = bucketBatches(lengths, { maxTokens: 60, shuffle: true, random: seededRandom(seed) });
    assert.deepEqual(sortedGroups(shuffled), sortedGroups(plain), `seed ${seed}`);
  }
});

test('the same seed gives the same batches; other seeds give other orders (training epochs differ)', () => {
  const lengths = Array.from({ length: 60 }, (_, i) => (i * 7) % 23);
  const run = (seed: number) => bucketBatches(lengths, { maxTokens: 50, shuffle: true, random: seededRandom(seed) });
  assert.deepEqual(run(3), run(3));
  const distinct = new Set([1, 2, 3, 4, 5].map((s) => JSON.stringify(run(s))));
  assert.ok(distinct.size > 1, 'five seeds all gave the same batches');
  assert.notDeepEqual(run(3), bucketBatches(lengths, { maxTokens: 50 }));
});

test('seededRandom is mulberry32: reference values, [0, 1), reproducible, seed taken as uint32', () => {
  // Reference values from an independent mulberry32 implementation (Python, 32-bit arithmetic).
  const one = seededRandom(1);
  assert.deepEqual([one(), one(), one()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  const a = seededRandom(42);
  const b = seededRandom(42);
  const draws = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(draws, Array.from({ length: 1000 }, () => b()));
  assert.ok(draws.every((x) => x >= 0 && x < 1));
  const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.equal(seededRandom(-1)(), seededRandom(2 ** 32 - 1)());
  assert.notEqual(seededRandom(1)(), seededRandom(2)());
});
