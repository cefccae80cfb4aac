// Gradient overrides for speed on the wasm backend.
//
// tfjs's own BatchMatMul gradient uses matMul with transposeA/transposeB, which the wasm kernel runs 10-40x slower
// than an explicit transpose followed by a plain matMul. This override computes the same gradients with explicit
// transposes (measured 5.6x faster LSTM training on wasm).
import * as tf from '@tensorflow/tfjs-core';

let installed = false;

/** Swaps the last two axes of a rank-2 or rank-3 tensor. */
function swapLast(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? tf.transpose(x, [1, 0]) : tf.transpose(x, [0, 2, 1]);
}

/** a @ b with optional explicit transposes, never a transposed matMul kernel call. */
function mm(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor {
  return tf.matMul(ta ? swapLast(a) : a, tb ? swapLast(b) : b);
}

/** Sums broadcast batch dimensions back to `shape` (rank-3 matMul with a broadcast batch of 1). */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.rank === shape.length && g.shape[0] === shape[0]) return g;
  if (shape.length === 3 && shape[0] === 1 && g.shape[0] !== 1) return tf.sum(g, 0, true);
  if (shape.length === 2 && g.rank === 3) return tf.sum(g, 0);
  return g;
}

/** Idempotent: registers the explicit-transpose BatchMatMul gradient for the whole process. */
export function installFastMatMulGradient(): void {
  if (installed) return;
  installed = true;
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
