// Float vectors computed along different paths (another batch size, the cache, the training ops) may differ in the
// last bits: which SIMD kernel runs depends on the shapes and on the machine's CPU, so compare within a tolerance.
import assert from 'node:assert/strict';

/** Fails unless every |actual - expected| <= tol * (1 + |expected|). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, message = '', tol = 1e-5): void {
  assert.equal(actual.length, expected.length, `${message}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${message}[${i}]: ${a} vs ${e}`);
  }
}
