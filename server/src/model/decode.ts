// From CRF scores to entities: the Viterbi path of a sentence, read as token spans, each with the CRF probability
// of exactly that span with that label and the best other label for the same span.
// A temperature T divides every CRF potential (emissions, transitions, start and end scores) before the
// probabilities are computed: T > 1 softens over-confident probabilities. Dividing all path scores by the same
// positive T keeps their order, so the Viterbi path, and with it the entities, are the same at every temperature.
import { posterior, spanProbability, viterbi, type CrfScores, type EmissionView } from './crf';
import type { TagSet } from './labels';

/** An entity over tokens first..last (inclusive). */
export interface TokenEntity {
  first: number;
  last: number;
  label: string;
  confidence: number;
  runnerUp?: { label: string; confidence: number };
}

/** Token spans of a valid IOB2 path of tag indices. */
export function spansOfPath(path: ArrayLike<number>, tagSet: TagSet): Array<{ first: number; last: number; type: string }> {
  const spans: Array<{ first: number; last: number; type: string }> = [];
  for (let t = 0; t < path.length; t++) {
    const type = tagSet.typeOf(path[t]);
    if (type === undefined) continue;
    const current = spans[spans.length - 1];
    if (tagSet.isInside(path[t]) && current && current.last === t - 1 && current.type === type) current.last = t;
    else spans.push({ first: t, last: t, type });
  }
  return spans;
}

/** Potentials divided by the temperature (the same objects when it is 1). */
export function tempered(e: EmissionView, scores: CrfScores, temperature: number): { e: EmissionView; scores: CrfScores } {
  if (temperature === 1) return { e, scores };
  const L = scores.numTags;
  const data = new Float64Array(e.length * L);
  for (let k = 0; k < data.length; k++) data[k] = e.data[e.offset + k] / temperature;
  const divide = (a: Float64Array) => a.map((v) => v / temperature);
  return {
    e: { data, offset: 0, length: e.length },
    scores: { numTags: L, transitions: divide(scores.transitions), start: divide(scores.start), end: divide(scores.end) },
  };
}

/** Decodes one sentence: Viterbi entities with their span probabilities (at `temperature`) and runner-up labels. */
export function decodeSentence(raw: EmissionView, rawScores: CrfScores, tagSet: TagSet, withConfidence = true, temperature = 1): TokenEntity[] {
  if (raw.length === 0) return [];
  const spans = spansOfPath(viterbi(raw, rawScores), tagSet);
  if (!withConfidence || spans.length === 0) return spans.map((s) => ({ first: s.first, last: s.last, label: s.type, confidence: 1 }));
  const { e, scores } = tempered(raw, rawScores, temperature);
  const p = posterior(e, scores);
  return spans.map(({ first, last, type }) => {
    const probabilityOf = (t: string) => spanProbability(e, scores, p, first, last, tagSet.begin(t), tagSet.inside(t));
    const entity: TokenEntity = { first, last, label: type, confidence: probabilityOf(type) };
    let runnerUp: { label: string; confidence: number } | undefined;
    for (const other of tagSet.types) {
      if (other === type) continue;
      const confidence = probabilityOf(other);
      if (!runnerUp || confidence > runnerUp.confidence) runnerUp = { label: other, confidence };
    }
    if (runnerUp) entity.runnerUp = runnerUp;
    return entity;
  });
}
