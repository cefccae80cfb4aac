// From CRF scores to entities: the Viterbi path of a sentence, read as token spans, each with the CRF probability
// of exactly that span with that label and the best other label for the same span.
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

/** Decodes one sentence: Viterbi entities with their span probabilities and runner-up labels. */
export function decodeSentence(e: EmissionView, scores: CrfScores, tagSet: TagSet, withConfidence = true): TokenEntity[] {
  if (e.length === 0) return [];
  const spans = spansOfPath(viterbi(e, scores), tagSet);
  if (!withConfidence || spans.length === 0) return spans.map((s) => ({ first: s.first, last: s.last, label: s.type, confidence: 1 }));
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
