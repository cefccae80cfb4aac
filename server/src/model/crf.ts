// Linear-chain conditional random field over IOB2 tags (the idea of AllenNLP's ConditionalRandomField):
// transition scores [L,L] plus start [L] and end [L] scores, with the BIO constraints (no `I-X` after `O`, after
// another type or at the start) applied as -Infinity scores in training and decoding alike.
//
// L is tiny (5 for two types), so the dynamic programs run in plain JS on the emissions of one `data()` call:
// the forward algorithm (log partition), forward-backward (marginals, span probabilities) and Viterbi.
// Training uses the same JS forward-backward inside a tf.customGrad: the gradient of log Z is the marginals.
import * as tf from '@tensorflow/tfjs-core';
import type { TagSet } from './labels';
import { ParamStore } from './params';

/** The CRF's scores as plain arrays with the constraints folded in (disallowed = -Infinity). */
export interface CrfScores {
  numTags: number;
  /** transitions[i * L + j]: score of tag j following tag i. */
  transitions: Float64Array;
  start: Float64Array;
  end: Float64Array;
}

/** One sentence's emission scores: emissions[offset + t * L + j] for t < length. */
export interface EmissionView {
  data: ArrayLike<number>;
  offset: number;
  length: number;
}

/** log(exp(a) + exp(b)) that is exact for -Infinity operands. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** Folds the BIO constraints into raw parameter values. */
export function constrainScores(
  tagSet: TagSet,
  transitions: ArrayLike<number>,
  start: ArrayLike<number>,
  end: ArrayLike<number>,
): CrfScores {
  const L = tagSet.size;
  const { allowed, startAllowed } = tagSet.constraints();
  return {
    numTags: L,
    transitions: Float64Array.from(transitions, (v, k) => (allowed[k] ? v : -Infinity)),
    start: Float64Array.from(start, (v, j) => (startAllowed[j] ? v : -Infinity)),
    end: Float64Array.from(end),
  };
}

/** alpha[t * L + j]: log-sum of the scores of all prefixes y_0..y_t with y_t = j (emissions 0..t included). */
export function forwardScores(e: EmissionView, s: CrfScores): Float64Array {
  const L = s.numTags;
  const T = e.length;
  const alpha = new Float64Array(T * L);
  for (let j = 0; j < L; j++) alpha[j] = s.start[j] + e.data[e.offset + j];
  for (let t = 1; t < T; t++) {
    for (let j = 0; j < L; j++) {
      let acc = -Infinity;
      for (let i = 0; i < L; i++) acc = logAddExp(acc, alpha[(t - 1) * L + i] + s.transitions[i * L + j]);
      alpha[t * L + j] = acc + e.data[e.offset + t * L + j];
    }
  }
  return alpha;
}

/** beta[t * L + i]: log-sum of the scores of all suffixes y_{t+1}..y_{T-1} given y_t = i (end score included). */
export function backwardScores(e: EmissionView, s: CrfScores): Float64Array {
  const L = s.numTags;
  const T = e.length;
  const beta = new Float64Array(T * L);
  for (let i = 0; i < L; i++) beta[(T - 1) * L + i] = s.end[i];
  for (let t = T - 2; t >= 0; t--) {
    for (let i = 0; i < L; i++) {
      let acc = -Infinity;
      for (let j = 0; j < L; j++) {
        acc = logAddExp(acc, s.transitions[i * L + j] + e.data[e.offset + (t + 1) * L + j] + beta[(t + 1) * L + j]);
      }
      beta[t * L + i] = acc;
    }
  }
  return beta;
}

/** log Z: the log-sum of the scores of every tag sequence. */
export function logPartition(alpha: Float64Array, length: number, s: CrfScores): number {
  const L = s.numTags;
  let acc = -Infinity;
  for (let j = 0; j < L; j++) acc = logAddExp(acc, alpha[(length - 1) * L + j] + s.end[j]);
  return acc;
}

/** Score of one tag sequence (may be -Infinity if it breaks a constraint). */
export function pathScore(e: EmissionView, tags: ArrayLike<number>, s: CrfScores): number {
  const L = s.numTags;
  let score = s.start[tags[0]] + s.end[tags[e.length - 1]];
  for (let t = 0; t < e.length; t++) {
    score += e.data[e.offset + t * L + tags[t]];
    if (t > 0) score += s.transitions[tags[t - 1] * L + tags[t]];
  }
  return score;
}

/** The most probable tag sequence (always a valid BIO path). */
export function viterbi(e: EmissionView, s: CrfScores): number[] {
  const L = s.numTags;
  const T = e.length;
  if (T === 0) return [];
  let best = new Float64Array(L);
  let next = new Float64Array(L);
  const backPointers = new Int32Array(T * L);
  for (let j = 0; j < L; j++) best[j] = s.start[j] + e.data[e.offset + j];
  for (let t = 1; t < T; t++) {
    for (let j = 0; j < L; j++) {
      let arg = 0;
      let max = -Infinity;
      for (let i = 0; i < L; i++) {
        const v = best[i] + s.transitions[i * L + j];
        if (v > max) {
          max = v;
          arg = i;
        }
      }
      next[j] = max + e.data[e.offset + t * L + j];
      backPointers[t * L + j] = arg;
    }
    [best, next] = [next, best];
  }
  let last = 0;
  for (let j = 1; j < L; j++) if (best[j] + s.end[j] > best[last] + s.end[last]) last = j;
  const path = new Array<number>(T);
  path[T - 1] = last;
  for (let t = T - 1; t > 0; t--) path[t - 1] = backPointers[t * L + path[t]];
  return path;
}

/** Forward-backward results of one sentence. */
export interface Posterior {
  alpha: Float64Array;
  beta: Float64Array;
  logZ: number;
}

export function posterior(e: EmissionView, s: CrfScores): Posterior {
  const alpha = forwardScores(e, s);
  const beta = backwardScores(e, s);
  return { alpha, beta, logZ: logPartition(alpha, e.length, s) };
}

/** marginals[t * L + j] = P(y_t = j). */
export function marginals(p: Posterior, length: number, numTags: number): Float64Array {
  const out = new Float64Array(length * numTags);
  for (let k = 0; k < out.length; k++) out[k] = Math.exp(p.alpha[k] + p.beta[k] - p.logZ);
  return out;
}

/**
 * P(y_first = begin, y_first+1..y_last = inside, y_last+1 != inside): the probability that tokens first..last
 * (inclusive) are exactly one entity of the type of (begin, inside).
 */
export function spanProbability(
  e: EmissionView,
  s: CrfScores,
  p: Posterior,
  first: number,
  last: number,
  begin: number,
  inside: number,
): number {
  const L = s.numTags;
  let score = p.alpha[first * L + begin];
  let previous = begin;
  for (let t = first + 1; t <= last; t++) {
    score += s.transitions[previous * L + inside] + e.data[e.offset + t * L + inside];
    previous = inside;
  }
  if (last === e.length - 1) {
    score += s.end[previous];
  } else {
    let rest = -Infinity;
    for (let k = 0; k < L; k++) {
      if (k === inside) continue;
      rest = logAddExp(rest, s.transitions[previous * L + k] + e.data[e.offset + (last + 1) * L + k] + p.beta[(last + 1) * L + k]);
    }
    score += rest;
  }
  const probability = Math.exp(score - p.logZ);
  return Number.isFinite(probability) ? Math.min(1, Math.max(0, probability)) : 0;
}

/**
 * A teacher's view of one sentence, for distillation (soft targets): the teacher's emission scores [n * L] and CRF
 * scores. The training target is the teacher's distribution over tag paths, conditioned on the sentence's known tags;
 * at the positions marked in `own` (1 = no teacher opinion, e.g. a word being taught) the student's own current
 * emissions stand in for the teacher's, so there the target follows the student as the partial likelihood does.
 */
export interface SoftTarget {
  emissions: ArrayLike<number>;
  scores: CrfScores;
  own?: Uint8Array;
}

/**
 * The CRF layer: trainable transition, start and end scores, and the batched negative log-likelihood.
 * Shapes: emissions [B,T,L]; tags and lengths are plain arrays (sentence b uses t < lengths[b]).
 */
export class Crf {
  readonly params = new ParamStore();
  readonly transitions: tf.Variable; // [L,L], from row tag to column tag
  readonly start: tf.Variable; // [L]
  readonly end: tf.Variable; // [L]

  constructor(readonly tagSet: TagSet, name = 'crf') {
    const L = tagSet.size;
    this.transitions = this.params.add(`${name}/transitions`, tf.zeros([L, L]));
    this.start = this.params.add(`${name}/start`, tf.zeros([L]));
    this.end = this.params.add(`${name}/end`, tf.zeros([L]));
  }

  get variables(): tf.Variable[] {
    return this.params.variables;
  }

  /** Current scores with constraints, as plain arrays for decoding. */
  scores(): CrfScores {
    return constrainScores(this.tagSet, this.transitions.dataSync(), this.start.dataSync(), this.end.dataSync());
  }

  /**
   * Sum over the batch of -log P(tags | emissions), a scalar differentiable w.r.t. emissions and the CRF scores.
   * Gold paths must be valid BIO paths (TagSet.encode guarantees it); -1 marks an unknown tag (partial annotation).
   * A sentence with a soft target is trained toward the teacher's distribution instead (see crfLossAndGradients).
   */
  negLogLikelihood(emissions: tf.Tensor3D, tags: ArrayLike<number>[], lengths: number[], targets?: ReadonlyArray<SoftTarget | undefined>): tf.Scalar {
    const tagSet = this.tagSet;
    const loss = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [em, tr, st, en] = inputs as tf.Tensor[];
      const [B, T, L] = em.shape;
      const result = crfLossAndGradients(tagSet, em.dataSync(), B, T, L, tags, lengths, tr.dataSync(), st.dataSync(), en.dataSync(), targets);
      return {
        value: tf.scalar(result.nll),
        gradFunc: (dy: tf.Tensor) => [
          tf.mul(dy, tf.tensor3d(result.dEmissions, [B, T, L])),
          tf.mul(dy, tf.tensor2d(result.dTransitions, [L, L])),
          tf.mul(dy, tf.tensor1d(result.dStart)),
          tf.mul(dy, tf.tensor1d(result.dEnd)),
        ],
      };
    });
    return loss(emissions, this.transitions, this.start, this.end) as tf.Scalar;
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * The allowed tags of each position of a partially known tag sequence, as a mask [n * L] (1 = allowed): a known tag
 * (>= 0) allows only itself; an unknown one (-1) allows every tag, except that a known entity is not continued
 * (`I-X` cannot follow a known `B-X`/`I-X`: the annotated span ends there).
 */
export function allowedTags(tagSet: TagSet, gold: ArrayLike<number>, n: number): Uint8Array {
  const L = tagSet.size;
  const allowed = new Uint8Array(n * L);
  for (let t = 0; t < n; t++) {
    if (gold[t] >= 0) {
      allowed[t * L + gold[t]] = 1;
      continue;
    }
    const endedType = t > 0 && gold[t - 1] > 0 ? tagSet.typeOf(gold[t - 1]) : undefined;
    for (let j = 0; j < L; j++) allowed[t * L + j] = tagSet.isInside(j) && tagSet.typeOf(j) === endedType ? 0 : 1;
  }
  return allowed;
}

/** Adds sign x the expected tag, transition, start and end counts of one sentence's posterior to the gradients. */
function addExpectedCounts(
  e: EmissionView,
  s: CrfScores,
  p: Posterior,
  sign: number,
  dEmissions: Float32Array,
  emissionOffset: number,
  dTransitions: Float64Array,
  dStart: Float64Array,
  dEnd: Float64Array,
): void {
  const L = s.numTags;
  const n = e.length;
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < L; j++) {
      const m = sign * Math.exp(p.alpha[t * L + j] + p.beta[t * L + j] - p.logZ);
      dEmissions[emissionOffset + t * L + j] += m;
      if (t === 0) dStart[j] += m;
      if (t === n - 1) dEnd[j] += m;
    }
    if (t === 0) continue;
    for (let i = 0; i < L; i++) {
      const a = p.alpha[(t - 1) * L + i];
      if (a === -Infinity) continue;
      for (let j = 0; j < L; j++) {
        const tr = s.transitions[i * L + j];
        if (tr === -Infinity) continue;
        dTransitions[i * L + j] += sign * Math.exp(a + tr + e.data[e.offset + t * L + j] + p.beta[t * L + j] - p.logZ);
      }
    }
  }
}

/**
 * The NLL of a batch and its gradients, computed by forward-backward in JS. A gold tag of -1 is unknown (a partial
 * annotation): the sentence's loss is then -log of the probability of all valid paths that agree with the known tags
 * (log Z - log Z over those paths; Tsuboi et al. 2008), so unannotated text teaches nothing either way.
 * A sentence with a soft target (targets[b]) is trained toward a distribution q over paths instead of one path: the
 * teacher's, conditioned on the known tags. Its loss is the cross-entropy -E_q[log P(y)] = log Z - E_q[score(y)]
 * (the KL divergence from q up to q's own entropy), whose gradient is the model's expected counts minus q's; with every
 * tag known q is the gold path and this is the NLL above. q is a constant (no gradient flows into the teacher).
 */
export function crfLossAndGradients(
  tagSet: TagSet,
  emissions: ArrayLike<number>,
  B: number,
  T: number,
  L: number,
  tags: ArrayLike<number>[],
  lengths: number[],
  transitions: ArrayLike<number>,
  start: ArrayLike<number>,
  end: ArrayLike<number>,
  targets?: ReadonlyArray<SoftTarget | undefined>,
): { nll: number; dEmissions: Float32Array; dTransitions: Float32Array; dStart: Float32Array; dEnd: Float32Array } {
  const s = constrainScores(tagSet, transitions, start, end);
  const dEmissions = new Float32Array(B * T * L);
  const dTransitions = new Float64Array(L * L);
  const dStart = new Float64Array(L);
  const dEnd = new Float64Array(L);
  let nll = 0;
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (n === 0) continue;
    const e: EmissionView = { data: emissions, offset: b * T * L, length: n };
    const gold = tags[b];
    const p = posterior(e, s);
    // d logZ / d score = expected count under the model.
    addExpectedCounts(e, s, p, 1, dEmissions, b * T * L, dTransitions, dStart, dEnd);
    const target = targets?.[b];
    if (target) {
      nll += p.logZ - softTargetCounts(tagSet, e, s, gold, target, dEmissions, b * T * L, dTransitions, dStart, dEnd);
      continue;
    }
    if (Array.prototype.some.call(gold, (tag: number, t: number) => t < n && tag < 0)) {
      // Partial: the known paths' log-sum replaces the gold path's score; its gradient is their expected counts.
      const allowed = allowedTags(tagSet, gold, n);
      const masked = new Float64Array(n * L);
      for (let k = 0; k < n * L; k++) masked[k] = allowed[k] ? e.data[e.offset + k] : -Infinity;
      const known: EmissionView = { data: masked, offset: 0, length: n };
      const pk = posterior(known, s);
      if (!Number.isFinite(pk.logZ)) throw new Error(`CRF: the known tags of sentence ${b} admit no valid BIO path`);
      nll += p.logZ - pk.logZ;
      addExpectedCounts(known, s, pk, -1, dEmissions, b * T * L, dTransitions, dStart, dEnd);
      continue;
    }
    const goldScore = pathScore(e, gold, s);
    if (!Number.isFinite(goldScore)) throw new Error(`CRF: gold tags of sentence ${b} are not a valid BIO path`);
    nll += p.logZ - goldScore;
    // d goldScore / d score = gold count.
    for (let t = 0; t < n; t++) {
      dEmissions[b * T * L + t * L + gold[t]] -= 1;
      if (t > 0) dTransitions[gold[t - 1] * L + gold[t]] -= 1;
    }
    dStart[gold[0]] -= 1;
    dEnd[gold[n - 1]] -= 1;
  }
  return {
    nll,
    dEmissions,
    dTransitions: Float32Array.from(dTransitions),
    dStart: Float32Array.from(dStart),
    dEnd: Float32Array.from(dEnd),
  };
}

/**
 * Subtracts the expected counts of one sentence's soft target q (see SoftTarget) from the gradients and returns
 * E_q[score(y)] under the student's scores `s` and emissions `e`.
 */
function softTargetCounts(
  tagSet: TagSet,
  e: EmissionView,
  s: CrfScores,
  gold: ArrayLike<number>,
  target: SoftTarget,
  dEmissions: Float32Array,
  emissionOffset: number,
  dTransitions: Float64Array,
  dStart: Float64Array,
  dEnd: Float64Array,
): number {
  const L = s.numTags;
  const n = e.length;
  if (target.emissions.length < n * L) throw new Error(`CRF: a soft target has ${target.emissions.length / L} positions, the sentence ${n}`);
  const allowed = allowedTags(tagSet, gold, n);
  const teacher = new Float64Array(n * L);
  for (let t = 0; t < n; t++) {
    const own = target.own?.[t] === 1;
    for (let j = 0; j < L; j++) {
      const k = t * L + j;
      // A known tag is the only one allowed at its position: its score is the same on every path of q.
      teacher[k] = !allowed[k] ? -Infinity : gold[t] >= 0 ? 0 : own ? e.data[e.offset + k] : target.emissions[k];
    }
  }
  const view: EmissionView = { data: teacher, offset: 0, length: n };
  const q = posterior(view, target.scores);
  if (!Number.isFinite(q.logZ)) throw new Error('CRF: the known tags of a sentence admit no path under its soft target');
  const em = new Float32Array(n * L);
  const tr = new Float64Array(L * L);
  const st = new Float64Array(L);
  const en = new Float64Array(L);
  addExpectedCounts(view, target.scores, q, 1, em, 0, tr, st, en);
  // 0 x -Infinity is no score: a path q never takes contributes nothing.
  const dot = (counts: ArrayLike<number>, scores: (k: number) => number) => {
    let sum = 0;
    for (let k = 0; k < counts.length; k++) if (counts[k] !== 0) sum += counts[k] * scores(k);
    return sum;
  };
  for (let k = 0; k < n * L; k++) dEmissions[emissionOffset + k] -= em[k];
  for (let k = 0; k < L * L; k++) dTransitions[k] -= tr[k];
  for (let j = 0; j < L; j++) {
    dStart[j] -= st[j];
    dEnd[j] -= en[j];
  }
  return dot(em, (k) => e.data[e.offset + k]) + dot(tr, (k) => s.transitions[k]) + dot(st, (j) => s.start[j]) + dot(en, (j) => s.end[j]);
}
