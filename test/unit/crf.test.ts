import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { TagSet } from '../../server/src/model/labels';
import {
  Crf,
  constrainScores,
  crfLossAndGradients,
  marginals,
  pathScore,
  posterior,
  spanProbability,
  viterbi,
  type CrfScores,
  type EmissionView,
  type SoftTarget,
} from '../../server/src/model/crf';
import { decodeSentence, spansOfPath } from '../../server/src/model/decode';

const tagSet = new TagSet(['Chemical', 'Disease']); // O B-C I-C B-D I-D
const L = tagSet.size;

/** Deterministic pseudo-random numbers in [-2, 2). */
function randoms(seed: number, n: number): number[] {
  let x = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) / 2 ** 32) * 4 - 2;
  });
}

function randomProblem(seed: number, T: number): { e: EmissionView; s: CrfScores } {
  const r = randoms(seed, T * L + L * L + 2 * L);
  const s = constrainScores(tagSet, r.slice(T * L, T * L + L * L), r.slice(T * L + L * L, T * L + L * L + L), r.slice(-L));
  return { e: { data: Float64Array.from(r.slice(0, T * L)), offset: 0, length: T }, s };
}

/** Every tag sequence of length T with its score. */
function allPaths(e: EmissionView, s: CrfScores): Array<{ path: number[]; score: number }> {
  const out: Array<{ path: number[]; score: number }> = [];
  const path = new Array<number>(e.length).fill(0);
  const total = L ** e.length;
  for (let k = 0; k < total; k++) {
    for (let t = 0, r = k; t < e.length; t++, r = Math.floor(r / L)) path[t] = r % L;
    out.push({ path: [...path], score: pathScore(e, path, s) });
  }
  return out;
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m === -Infinity ? m : m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}

test('forward algorithm, Viterbi and marginals agree with brute-force enumeration', () => {
  for (const [seed, T] of [[1, 1], [2, 2], [3, 3], [4, 4], [5, 4]] as const) {
    const { e, s } = randomProblem(seed, T);
    const paths = allPaths(e, s);
    const logZ = logSumExp(paths.map((p) => p.score));
    const p = posterior(e, s);
    assert.ok(Math.abs(p.logZ - logZ) < 1e-9, `log Z ${p.logZ} vs ${logZ}`);
    const best = paths.reduce((a, b) => (b.score > a.score ? b : a));
    assert.deepEqual(viterbi(e, s), best.path);
    const m = marginals(p, T, L);
    for (let t = 0; t < T; t++) {
      let sum = 0;
      for (let j = 0; j < L; j++) {
        const brute = paths.filter((q) => q.path[t] === j).reduce((a, q) => a + Math.exp(q.score - logZ), 0);
        assert.ok(Math.abs(m[t * L + j] - brute) < 1e-9, `marginal t=${t} j=${j}`);
        sum += m[t * L + j];
      }
      assert.ok(Math.abs(sum - 1) < 1e-9, 'marginals sum to 1');
    }
    // Constraints: no I- at the start, no impossible path has probability.
    assert.equal(m[tagSet.inside('Chemical')], 0);
  }
});

test('span probabilities equal the brute-force probability of exactly that span', () => {
  const T = 4;
  const { e, s } = randomProblem(11, T);
  const paths = allPaths(e, s);
  const logZ = logSumExp(paths.map((p) => p.score));
  const p = posterior(e, s);
  for (const type of tagSet.types) {
    const [b, i] = [tagSet.begin(type), tagSet.inside(type)];
    for (let first = 0; first < T; first++) {
      for (let last = first; last < T; last++) {
        const brute = paths
          .filter((q) => q.path[first] === b && q.path.slice(first + 1, last + 1).every((x) => x === i) && q.path[last + 1] !== i)
          .reduce((a, q) => a + Math.exp(q.score - logZ), 0);
        const got = spanProbability(e, s, p, first, last, b, i);
        assert.ok(Math.abs(got - brute) < 1e-9, `${type} ${first}..${last}: ${got} vs ${brute}`);
      }
    }
  }
});

test('every decoded path is a valid BIO path and its entities have confidences in [0, 1]', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 1e9 }), (T, seed) => {
      const { e, s } = randomProblem(seed, T);
      const path = viterbi(e, s);
      const { allowed, startAllowed } = tagSet.constraints();
      assert.equal(startAllowed[path[0]], 1);
      for (let t = 1; t < T; t++) assert.equal(allowed[path[t - 1] * L + path[t]], 1, `transition at ${t}`);
      const entities = decodeSentence(e, s, tagSet);
      assert.equal(entities.length, spansOfPath(path, tagSet).length);
      for (const x of entities) {
        assert.ok(x.confidence >= 0 && x.confidence <= 1);
        if (x.runnerUp) assert.ok(x.runnerUp.confidence >= 0 && x.runnerUp.confidence + x.confidence <= 1 + 1e-9);
      }
    }),
    { numRuns: 200 },
  );
});

/** Each analytic gradient entry equals the central difference of `nll` in that value (where it is finite). */
function assertMatchesFiniteDifferences(nll: () => number, values: Float64Array, grad: Float32Array, what: string): void {
  for (let k = 0; k < values.length; k++) {
    const keep = values[k];
    const h = 1e-5;
    values[k] = keep + h;
    const up = nll();
    values[k] = keep - h;
    const down = nll();
    values[k] = keep;
    const numeric = (up - down) / (2 * h);
    if (!Number.isFinite(numeric)) continue;
    assert.ok(Math.abs(numeric - grad[k]) < 1e-4, `${what}[${k}]: ${grad[k]} vs numeric ${numeric}`);
  }
}

test('NLL gradients match finite differences (emissions, transitions, start, end)', () => {
  const [B, T] = [2, 4];
  const r = randoms(7, B * T * L + L * L + 2 * L);
  const emissions = Float64Array.from(r.slice(0, B * T * L));
  const trans = Float64Array.from(r.slice(B * T * L, B * T * L + L * L));
  const start = Float64Array.from(r.slice(B * T * L + L * L, B * T * L + L * L + L));
  const end = Float64Array.from(r.slice(-L));
  const tags = [tagSet.encode(['B-Chemical', 'I-Chemical', 'O', 'B-Disease']), tagSet.encode(['O', 'B-Disease', 'I-Disease', 'O'])];
  const lengths = [4, 3];
  const nll = () => crfLossAndGradients(tagSet, emissions, B, T, L, tags, lengths, trans, start, end).nll;
  const g = crfLossAndGradients(tagSet, emissions, B, T, L, tags, lengths, trans, start, end);
  assertMatchesFiniteDifferences(nll, emissions, g.dEmissions, 'emissions');
  assertMatchesFiniteDifferences(nll, trans, g.dTransitions, 'transitions');
  assertMatchesFiniteDifferences(nll, start, g.dStart, 'start');
  assertMatchesFiniteDifferences(nll, end, g.dEnd, 'end');
  // Padding positions get no gradient.
  for (let j = 0; j < L; j++) assert.equal(g.dEmissions[1 * T * L + 3 * L + j], 0);
});

test('Crf.negLogLikelihood differentiates through tf, trains toward the gold path and leaks no tensors', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const crf = new Crf(tagSet);
  const emissions = tf.tidy(() => tf.variable(tf.tensor3d(randoms(3, 2 * 3 * L), [2, 3, L])));
  const tags = [tagSet.encode(['B-Disease', 'I-Disease', 'O']), tagSet.encode(['B-Chemical', 'O', 'O'])];
  const optimizer = tf.train.adam(0.1);
  const losses: number[] = [];
  for (let step = 0; step < 30; step++) {
    const loss = optimizer.minimize(() => crf.negLogLikelihood(emissions, tags, [3, 2]), true, [emissions, ...crf.variables])!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  assert.ok(losses[29] < losses[0] / 4, `loss went from ${losses[0]} to ${losses[29]}`);
  const data = emissions.dataSync();
  assert.deepEqual(viterbi({ data, offset: 0, length: 3 }, crf.scores()), Array.from(tags[0]));
  assert.deepEqual(viterbi({ data, offset: 3 * L, length: 2 }, crf.scores()), Array.from(tags[1]).slice(0, 2));
  optimizer.dispose();
  emissions.dispose();
  crf.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('TagSet.encode repairs I- tags that cannot continue into B- tags', () => {
  assert.deepEqual(tagSet.decode(tagSet.encode(['I-Chemical', 'I-Disease', 'O', 'I-Disease', 'I-Disease'])), [
    'B-Chemical',
    'B-Disease',
    'O',
    'B-Disease',
    'I-Disease',
  ]);
});

test('partial annotations: unknown tags (-1) are marginalised; known ones are learnt; all known = the full NLL', () => {
  const T = 5;
  const B = 1;
  const r = randoms(11, T * L + L * L + 2 * L);
  const emissions = Float64Array.from(r.slice(0, T * L));
  const trans = Float64Array.from(r.slice(T * L, T * L + L * L));
  const start = Float64Array.from(r.slice(T * L + L * L, T * L + L * L + L));
  const end = Float64Array.from(r.slice(-L));
  const full = tagSet.encode(['O', 'B-Chemical', 'I-Chemical', 'O', 'B-Disease']);
  const loss = (tags: ArrayLike<number>) => crfLossAndGradients(tagSet, emissions, B, T, L, [tags], [T], trans, start, end);
  // Every tag known: the partial path gives what the gold path gives.
  assert.ok(Math.abs(loss(full).nll - loss(Int32Array.from(full)).nll) < 1e-9);
  // Nothing known: every path agrees, so there is nothing to learn.
  const none = loss(new Int32Array(T).fill(-1));
  assert.ok(Math.abs(none.nll) < 1e-9, `nll ${none.nll}`);
  assert.ok(none.dEmissions.every((g) => Math.abs(g) < 1e-6));
  // Only the chemical known: the loss is -log P(tokens 1..2 are exactly that chemical), smaller than the full NLL.
  const partial = tagSet.encode(['?', 'B-Chemical', 'I-Chemical', '?', '?']);
  assert.deepEqual(Array.from(partial), [-1, 1, 2, -1, -1]);
  const p = posterior({ data: emissions, offset: 0, length: T }, constrainScores(tagSet, trans, start, end));
  const s = constrainScores(tagSet, trans, start, end);
  const spanP = spanProbability({ data: emissions, offset: 0, length: T }, s, p, 1, 2, tagSet.begin('Chemical'), tagSet.inside('Chemical'));
  assert.ok(Math.abs(loss(partial).nll - -Math.log(spanP)) < 1e-9, 'the known span ends where it was annotated');
  assert.ok(loss(partial).nll < loss(full).nll);
  // Its gradients match finite differences.
  const g = loss(partial);
  assertMatchesFiniteDifferences(() => loss(partial).nll, emissions, g.dEmissions, 'emissions');
  assertMatchesFiniteDifferences(() => loss(partial).nll, trans, g.dTransitions, 'transitions');
});

test('soft targets: toward the teacher given the known tags; a teacher equal to the model teaches nothing; all known = the full NLL', () => {
  const T = 5;
  const r = randoms(13, 2 * T * L + L * L + 2 * L);
  const emissions = Float64Array.from(r.slice(0, T * L));
  const teacherEmissions = Float64Array.from(r.slice(T * L, 2 * T * L));
  const trans = Float64Array.from(r.slice(2 * T * L, 2 * T * L + L * L));
  const start = Float64Array.from(r.slice(2 * T * L + L * L, 2 * T * L + L * L + L));
  const end = Float64Array.from(r.slice(-L));
  const studentScores = () => constrainScores(tagSet, trans, start, end);
  const teacher: SoftTarget = { emissions: teacherEmissions, scores: constrainScores(tagSet, randoms(17, L * L), randoms(19, L), randoms(23, L)) };
  const loss = (tags: ArrayLike<number>, target?: SoftTarget) =>
    crfLossAndGradients(tagSet, emissions, 1, T, L, [tags], [T], trans, start, end, target && [target]);
  const partial = tagSet.encode(['?', 'B-Chemical', 'I-Chemical', '?', '?']);
  // The loss is the cross-entropy from q, the teacher's distribution over the paths that agree with the known tags.
  const known = allPaths({ data: teacherEmissions, offset: 0, length: T }, teacher.scores).filter(({ path, score }) => score > -Infinity && path[1] === 1 && path[2] === 2 && path[3] !== 2);
  const logQ = logSumExp(known.map((x) => x.score));
  const student = { data: emissions, offset: 0, length: T };
  const logZ = logSumExp(allPaths(student, studentScores()).map((x) => x.score));
  const crossEntropy = known.reduce((sum, { path, score }) => sum + Math.exp(score - logQ) * (logZ - pathScore(student, path, studentScores())), 0);
  assert.ok(Math.abs(loss(partial, teacher).nll - crossEntropy) < 1e-6, `${loss(partial, teacher).nll} vs ${crossEntropy}`);
  // Its gradients match finite differences (q does not depend on the model's own scores).
  const g = loss(partial, teacher);
  assertMatchesFiniteDifferences(() => loss(partial, teacher).nll, emissions, g.dEmissions, 'emissions');
  assertMatchesFiniteDifferences(() => loss(partial, teacher).nll, trans, g.dTransitions, 'transitions');
  assertMatchesFiniteDifferences(() => loss(partial, teacher).nll, end, g.dEnd, 'end');
  // Every tag known: q is the gold path, and the loss and its gradients are the full NLL's.
  const full = tagSet.encode(['O', 'B-Chemical', 'I-Chemical', 'O', 'B-Disease']);
  const soft = loss(full, teacher);
  const hard = loss(full);
  assert.ok(Math.abs(soft.nll - hard.nll) < 1e-9);
  soft.dEmissions.forEach((x, k) => assert.ok(Math.abs(x - hard.dEmissions[k]) < 1e-6, `emission gradient ${k}`));
  // A teacher that is the model itself (nothing known) has nothing to teach: every gradient is zero.
  const itself: SoftTarget = { emissions, scores: studentScores() };
  const none = loss(new Int32Array(T).fill(-1), itself);
  assert.ok([...none.dEmissions, ...none.dTransitions, ...none.dStart, ...none.dEnd].every((x) => Math.abs(x) < 1e-6));
  // Where the teacher has no opinion (`own`) the model's own scores stand in for the teacher's emissions: with the
  // model's CRF scores and no opinion anywhere, the gradients are those of the partial likelihood.
  const free = loss(partial, { emissions: teacherEmissions, scores: studentScores(), own: new Uint8Array(T).fill(1) });
  const marginal = loss(partial);
  free.dEmissions.forEach((x, k) => assert.ok(Math.abs(x - marginal.dEmissions[k]) < 1e-6, `emission gradient ${k}`));
  free.dTransitions.forEach((x, k) => assert.ok(Math.abs(x - marginal.dTransitions[k]) < 1e-6, `transition gradient ${k}`));
});

test('a temperature changes confidences but never the entities (all potentials are divided alike)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1e9 }), fc.double({ min: 0.3, max: 5, noNaN: true }), (T, seed, temperature) => {
      const { e, s } = randomProblem(seed, T);
      const plain = decodeSentence(e, s, tagSet);
      const tempered = decodeSentence(e, s, tagSet, true, temperature);
      assert.deepEqual(
        tempered.map((x) => [x.first, x.last, x.label]),
        plain.map((x) => [x.first, x.last, x.label]),
      );
      for (const x of tempered) assert.ok(x.confidence >= 0 && x.confidence <= 1);
    }),
    { numRuns: 100 },
  );
});

test('a temperature above 1 softens a confident entity, and 1 leaves it as it is', () => {
  // One token, strongly B-Chemical.
  const s = constrainScores(tagSet, new Array(L * L).fill(0), new Array(L).fill(0), new Array(L).fill(0));
  const e: EmissionView = { data: Float64Array.from([0, 4, -2, 0, -2]), offset: 0, length: 1 };
  const [plain] = decodeSentence(e, s, tagSet);
  const [same] = decodeSentence(e, s, tagSet, true, 1);
  const [soft] = decodeSentence(e, s, tagSet, true, 2);
  assert.equal(plain.label, 'Chemical');
  assert.equal(same.confidence, plain.confidence);
  // P(B-Chemical) = e^4 / (e^0 + e^4 + e^0) at T=1; e^2 / (e^0 + e^2 + e^0) at T=2 (I- tags cannot start).
  assert.ok(Math.abs(plain.confidence - Math.exp(4) / (2 + Math.exp(4))) < 1e-9);
  assert.ok(Math.abs(soft.confidence - Math.exp(2) / (2 + Math.exp(2))) < 1e-9);
});
