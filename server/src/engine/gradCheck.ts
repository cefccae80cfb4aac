// Finite-difference gradient checking for model pieces (used by the unit tests): compares the analytic gradient of a
// scalar function of some variables with central differences at a few sampled coordinates.
import * as tf from '@tensorflow/tfjs-core';

export interface GradCheckResult {
  /** |analytic - numeric| / max(1e-2, |analytic| + |numeric|) per checked coordinate. */
  errors: number[];
  /** Share of coordinates whose error exceeds `tolerance`: a relu or max kink within eps of a coordinate makes the
   *  finite difference wrong there, so callers allow a few. */
  failureRate(tolerance: number): number;
}

/**
 * `loss` must be deterministic (no dropout). Perturbs `coordinates` entries of each variable by +-eps.
 */
export function checkGradients(
  loss: () => tf.Scalar,
  variables: tf.Variable[],
  options: { eps?: number; coordinates?: number; random?: () => number } = {},
): GradCheckResult {
  const eps = options.eps ?? 1e-3;
  const coordinates = options.coordinates ?? 4;
  const random = options.random ?? Math.random;
  const { grads, value } = tf.variableGrads(loss, variables);
  value.dispose();
  const errors: number[] = [];
  for (const v of variables) {
    const analytic = grads[v.name].dataSync();
    const original = v.dataSync().slice() as Float32Array;
    for (let k = 0; k < coordinates; k++) {
      const i = Math.floor(random() * original.length);
      const at = (delta: number): number => {
        const values = original.slice();
        values[i] += delta;
        tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      errors.push(Math.abs(analytic[i] - numeric) / Math.max(1e-2, Math.abs(analytic[i]) + Math.abs(numeric)));
    }
    tf.tidy(() => v.assign(tf.tensor(original, v.shape)));
  }
  Object.values(grads).forEach((g) => g.dispose());
  return { errors, failureRate: (tolerance) => errors.filter((e) => e > tolerance).length / Math.max(1, errors.length) };
}
