// Gradient overrides for the wasm backend (registered for every backend, so all behave alike).
//
// Max: tfjs's gradient compares x with the broadcast max (Equal with broadcasting, a slow path on wasm: 690 ms of a
// 3.6 s training step; Tile is slower still). Here: isMax = 1 - step(y - x), with a natively broadcast Sub.
//
// GatherV2: tfjs's gradient uses UnsortedSegmentSum, which wasm does not implement; ScatterNd (which sums duplicate
// indices) computes the same thing (batched gathers keep the original).
//
// BatchMatMul: tfjs's own gradient uses matMul with transposeA/transposeB, which the wasm kernel runs 10-40x slower
// than an explicit transpose followed by a plain matMul. This override computes the same gradients with explicit
// transposes (measured 5.6x faster LSTM training on wasm). With the BLAS matMul (nativeBlas.ts) a transposed operand
// is free, and the flags are passed through instead.
import * as tf from '@tensorflow/tfjs-core';
import { blasActive } from './nativeBlas';

let installed = false;

/** Swaps the last two axes of a rank-2 or rank-3 tensor. */
function swapLast(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? tf.transpose(x, [1, 0]) : tf.transpose(x, [0, 2, 1]);
}

/** a @ b with optional transposes: explicit ones, unless the matMul kernel is BLAS's. */
function mm(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor {
  if (blasActive()) return tf.matMul(a, b, ta, tb);
  return tf.matMul(ta ? swapLast(a) : a, tb ? swapLast(b) : b);
}

/** Sums broadcast batch dimensions back to `shape` (rank-3 matMul with a broadcast batch of 1). */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.rank === shape.length && g.shape[0] === shape[0]) return g;
  if (shape.length === 3 && shape[0] === 1 && g.shape[0] !== 1) return tf.sum(g, 0, true);
  if (shape.length === 2 && g.rank === 3) return tf.sum(g, 0);
  return g;
}

/**
 * d gather(x, indices, axis) / dx: dy [outer..., n, inner...] moved to [n, outer..., inner...], scattered-added into
 * rows of [x.shape[axis], outer..., inner...], and moved back.
 */
function gatherGradient(dy: tf.Tensor, x: tf.Tensor, indices: tf.Tensor, axis: number): tf.Tensor {
  const outer = x.shape.slice(0, axis);
  const inner = x.shape.slice(axis + 1);
  const n = indices.size;
  const values = tf.reshape(dy, [...outer, n, ...inner]);
  const perm = [outer.length, ...outer.map((_, i) => i), ...inner.map((_, i) => outer.length + 1 + i)];
  const moved = axis === 0 ? values : tf.transpose(values, perm);
  const summed = tf.scatterND(tf.reshape(indices, [n, 1]), moved, [x.shape[axis], ...outer, ...inner]);
  if (axis === 0) return summed;
  const undo = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose(summed, undo);
}

/** Idempotent: registers the gradient overrides (BatchMatMul, GatherV2, Max). */
export function installGradientOverrides(): void {
  if (installed) return;
  installed = true;
  if (tf.getGradient(tf.Max)) tf.unregisterGradient(tf.Max);
  tf.registerGradient({
    kernelName: tf.Max,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, y] = saved;
      const { reductionIndices } = attrs as unknown as { reductionIndices: number | number[] };
      const axes = tf.util.parseAxisParam(reductionIndices, x.shape);
      const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d)); // y and dy with reduced axes kept as 1
      return {
        x: () => {
          // y - x >= 0 everywhere, 0 exactly at the maxima.
          const isMax = tf.sub(1, tf.step(tf.sub(tf.reshape(y, keptShape), x)));
          // Ties (e.g. the identical all-padding windows of a short word) share the gradient, as in TensorFlow;
          // tfjs gives each tied position the full gradient.
          const share = tf.div(tf.reshape(dy as tf.Tensor, keptShape), tf.sum(isMax, axes, true));
          return tf.mul(share, isMax);
        },
      };
    },
  });
  const originalGather = tf.getGradient(tf.GatherV2);
  if (originalGather) tf.unregisterGradient(tf.GatherV2);
  tf.registerGradient({
    kernelName: tf.GatherV2,
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, indices] = saved;
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      // Batched gathers keep tfjs's own gradient (UnsortedSegmentSum: CPU backend only).
      if (batchDims && originalGather) return originalGather.gradFunc(dy, saved, attrs);
      const a = axis < 0 ? axis + x.rank : axis;
      return { x: () => gatherGradient(dy as tf.Tensor, x, indices, a), indices: () => indices };
    },
  });
  if (tf.getGradient(tf.BatchMatMul)) tf.unregisterGradient(tf.BatchMatMul);
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const g = dy as tf.Tensor;
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      // Same algebra as tfjs's own gradient, with explicit transposes.
      let da: () => tf.Tensor;
      let db: () => tf.Tensor;
      if (!transposeA && !transposeB) {
        da = () => mm(g, b, false, true);
        db = () => mm(a, g, true, false);
      } else if (!transposeA && transposeB) {
        da = () => mm(g, b, false, false);
        db = () => mm(g, a, true, false);
      } else if (transposeA && !transposeB) {
        da = () => mm(b, g, false, true);
        db = () => mm(a, g, false, false);
      } else {
        da = () => mm(b, g, true, true);
        db = () => mm(g, a, true, true);
      }
      return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
    },
  });
}
