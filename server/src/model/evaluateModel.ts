// Evaluates a tagger model on pre-tokenised gold sentences: the model tags each sentence's own tokens (no
// re-tokenisation), and strict span P/R/F1 is computed per type and micro-averaged.
import type { TaggedSentence } from '../types';
import { evaluateTags, type EvaluationReport, type Scores } from '../eval/spanMetrics';
import { tagsToSpans, UNKNOWN_TAG } from '../formats/tagSchemes';
import { bucketBatches, MAX_TOKENS_PER_PIECE, pieceRanges } from './batching';
import * as tf from '@tensorflow/tfjs-core';
import type { Representations, TaggerModel } from './tagger';

/** BiLM layers of sentences by index, when precomputed (see train/featureCache.ts); with a sentence longer than
 *  MAX_TOKENS_PER_PIECE, by index of the pieces (pieceRanges of each sentence in turn, as train/trainingData.ts
 *  cutLongSentences cuts them). */
export type RepresentationLookup = (indices: number[]) => Representations;

export interface ModelEvaluation {
  /** Strict span scores, micro-averaged. */
  overall: Scores;
  perType: Record<string, Scores>;
  /** The full report (with partial-overlap figures), printable with the eval command's table. */
  report: EvaluationReport;
  predictions: string[][];
  tokensPerSecond: number;
}

/** IOB2 tags predicted for each sentence's tokens (in the input order). */
export function predictTags(model: TaggerModel, sentences: string[][], batchTokens = 2048, lookup?: RepresentationLookup): string[][] {
  if (sentences.some((s) => s.length > MAX_TOKENS_PER_PIECE)) {
    // Tagged in pieces, as tagging does, and joined again: the predictions line up with the caller's sentences.
    const pieces = sentences.map((s) => pieceRanges(s.length).map(([start, end]) => s.slice(start, end)));
    const tags = predictTags(model, pieces.flat(), batchTokens, lookup);
    let next = 0;
    return pieces.map((p) => p.flatMap(() => tags[next++]));
  }
  const out: string[][] = new Array(sentences.length);
  for (const batch of bucketBatches(sentences.map((s) => s.length), { maxTokens: batchTokens })) {
    const words = batch.map((i) => sentences[i]);
    const tags = lookup ? tf.tidy(() => model.predictTags(words, lookup(batch))) : model.predictTags(words);
    batch.forEach((i, k) => (out[i] = tags[k]));
  }
  return out;
}

export function evaluateModel(model: TaggerModel, gold: TaggedSentence[], batchTokens = 2048, lookup?: RepresentationLookup): ModelEvaluation {
  const started = performance.now();
  const predictions = predictTags(model, gold.map((s) => s.tokens), batchTokens, lookup);
  const seconds = (performance.now() - started) / 1000;
  const tokens = gold.reduce((n, s) => n + s.tokens.length, 0);
  const scored = gold.map((s, i) => scoredTags(s.tags, predictions[i]));
  const report = evaluateTags(scored.map((s) => s.gold), scored.map((s) => s.predicted));
  return {
    overall: report.overall,
    perType: Object.fromEntries(report.perType.map(({ label, ...scores }) => [label, scores])),
    report,
    predictions,
    tokensPerSecond: tokens / Math.max(seconds, 1e-9),
  };
}

/**
 * What can be scored against a partial annotation: unknown gold tokens (UNKNOWN_TAG) hold no gold entity, and a
 * predicted entity lying wholly on unknown tokens is neither right nor wrong, so it is left out. An entity that
 * touches reviewed text (an annotated entity, or a span marked "not an entity") is scored as usual.
 */
export function scoredTags(gold: string[], predicted: string[]): { gold: string[]; predicted: string[] } {
  if (!gold.includes(UNKNOWN_TAG)) return { gold, predicted };
  const kept = [...predicted];
  for (const span of tagsToSpans(predicted, 'iob2').spans) {
    if (gold.slice(span.start, span.end).every((tag) => tag === UNKNOWN_TAG)) kept.fill('O', span.start, span.end);
  }
  return { gold: gold.map((tag) => (tag === UNKNOWN_TAG ? 'O' : tag)), predicted: kept };
}
