// Evaluates a tagger model on pre-tokenised gold sentences: the model tags each sentence's own tokens (no
// re-tokenisation), and strict span P/R/F1 is computed per type and micro-averaged.
import type { TaggedSentence } from '../types';
import { bucketBatches } from './batching';
import * as tf from '@tensorflow/tfjs-core';
import type { Representations, TaggerModel } from './tagger';

/** BiLM layers of sentences by index, when precomputed (see train/featureCache.ts). */
export type RepresentationLookup = (indices: number[]) => Representations;

export interface TypeScores {
  precision: number;
  recall: number;
  f1: number;
  gold: number;
  predicted: number;
  correct: number;
}

export interface ModelEvaluation {
  overall: TypeScores;
  perType: Record<string, TypeScores>;
  predictions: string[][];
  tokensPerSecond: number;
}

/** IOB2 tags predicted for each sentence's tokens (in the input order). */
export function predictTags(model: TaggerModel, sentences: string[][], batchTokens = 2048, lookup?: RepresentationLookup): string[][] {
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
  return { ...strictSpanScores(gold.map((s) => s.tags), predictions), predictions, tokensPerSecond: tokens / Math.max(seconds, 1e-9) };
}

// TEMPORARY until server/src/eval/ (foundation engineer) lands: strict span matching of IOB2 tag sequences.
function strictSpanScores(gold: string[][], pred: string[][]): { overall: TypeScores; perType: Record<string, TypeScores> } {
  const counts = new Map<string, { gold: number; predicted: number; correct: number }>();
  const bump = (type: string, key: 'gold' | 'predicted' | 'correct') => {
    const c = counts.get(type) ?? { gold: 0, predicted: 0, correct: 0 };
    c[key]++;
    counts.set(type, c);
  };
  gold.forEach((g, i) => {
    const goldSpans = new Set(spans(g));
    const predSpans = spans(pred[i]);
    for (const s of goldSpans) bump(s.split(':')[2], 'gold');
    for (const s of predSpans) {
      bump(s.split(':')[2], 'predicted');
      if (goldSpans.has(s)) bump(s.split(':')[2], 'correct');
    }
  });
  const score = (c: { gold: number; predicted: number; correct: number }): TypeScores => {
    const precision = c.predicted ? c.correct / c.predicted : 0;
    const recall = c.gold ? c.correct / c.gold : 0;
    return { ...c, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  };
  const total = { gold: 0, predicted: 0, correct: 0 };
  const perType: Record<string, TypeScores> = {};
  for (const [type, c] of [...counts].sort()) {
    perType[type] = score(c);
    total.gold += c.gold;
    total.predicted += c.predicted;
    total.correct += c.correct;
  }
  return { overall: score(total), perType };
}

function spans(tags: string[]): string[] {
  const out: string[] = [];
  let start = -1;
  let type = '';
  const close = (end: number) => {
    if (start >= 0) out.push(`${start}:${end}:${type}`);
    start = -1;
  };
  tags.forEach((tag, t) => {
    if (tag.startsWith('I-') && start >= 0 && tag.slice(2) === type) return;
    close(t);
    if (tag !== 'O') {
      start = t;
      type = tag.slice(2);
    }
  });
  close(tags.length);
  return out;
}
