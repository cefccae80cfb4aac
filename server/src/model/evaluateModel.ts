// Evaluates a tagger model on pre-tokenised gold sentences: the model tags each sentence's own tokens (no
// re-tokenisation), and strict span P/R/F1 is computed per type and micro-averaged.
import type { TaggedSentence } from '../types';
import { join } from 'node:path';
import { initEngine } from '../engine/backend';
import { evaluateTags, type EvaluationReport, type Scores } from '../eval/spanMetrics';
import { readJsonFileSync } from '../formats/boundedRead';
import { corpusDocuments, type Corpus, type CorpusDocument } from '../formats/corpus';
import { tagsToSpans, UNKNOWN_TAG } from '../formats/tagSchemes';
import { loadTagger } from '../tagging/load';
import { tagText } from '../tagging/tagText';
import { applyLabelMap } from './labels';
import { loadModelDir } from './modelDir';
import { bucketBatches, MAX_TOKENS_PER_PIECE, pieceRanges } from './batching';
import * as tf from '@tensorflow/tfjs-core';
import type { Representations, TaggerModel } from './tagger';

/** BiLM layers of sentences by index, when precomputed (see train/featureCache.ts). */
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
  if (!lookup && sentences.some((s) => s.length > MAX_TOKENS_PER_PIECE)) {
    // Tagged in pieces, as tagging does (the cached representations of `lookup` are of whole sentences).
    const pieces = sentences.map((s) => pieceRanges(s.length).map(([start, end]) => s.slice(start, end)));
    const tags = predictTags(model, pieces.flat(), batchTokens);
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

/**
 * Tags the gold corpus with the model in `modelDir` for `bioner eval --model`: a token corpus (CoNLL) is tagged
 * on its own tokens by a neural model, documents are tagged from their text (any model kind). The label map renames
 * the gold corpus's types to the model's (e.g. Chemical=DRUG). Returns both corpora, ready for reportEvaluation.
 */
export async function tagCorpusWithModel(
  modelDir: string,
  gold: Corpus,
  labelMap: Map<string, string> = new Map(),
): Promise<{ gold: Corpus; pred: Corpus; labels: string[]; tokensPerSecond?: number }> {
  const mappedGold = mapCorpusLabels(gold, labelMap);
  if (mappedGold.kind === 'tokens' && (readModelKind(modelDir) ?? 'neural') === 'neural') {
    await initEngine();
    const { model } = loadModelDir(modelDir);
    try {
      const sentences = mappedGold.documents.flatMap((d) => d.sentences);
      const evaluation = evaluateModel(model, sentences);
      let k = 0;
      const documents = mappedGold.documents.map((d) => ({
        ...d,
        sentences: d.sentences.map((s) => ({ ...s, tags: evaluation.predictions[k++] })),
      }));
      return { gold: mappedGold, pred: { ...mappedGold, documents, scheme: 'iob2' }, labels: [...model.tagSet.types], tokensPerSecond: evaluation.tokensPerSecond };
    } finally {
      model.dispose();
    }
  }
  const tagger = await loadTagger(modelDir);
  try {
    const documents: CorpusDocument[] = [];
    for (const d of corpusDocuments(mappedGold)) {
      const entities = await tagText(tagger, d.text);
      documents.push({ id: d.id, text: d.text, entities: entities.map(({ start, end, label, confidence }) => ({ start, end, label, confidence })) });
    }
    const pred: Corpus = { kind: 'documents', format: 'jsonl', documents };
    const goldDocs: Corpus = mappedGold.kind === 'documents' ? mappedGold : { kind: 'documents', format: 'jsonl', documents: corpusDocuments(mappedGold) };
    return { gold: goldDocs, pred, labels: [...tagger.labels] };
  } finally {
    tagger.dispose();
  }
}

function readModelKind(dir: string): string | undefined {
  try {
    return (readJsonFileSync(join(dir, 'config.json')) as { kind?: string }).kind;
  } catch {
    return undefined;
  }
}

/** Renames entity types of a corpus (TYPE=O drops them). */
export function mapCorpusLabels(corpus: Corpus, map: Map<string, string>): Corpus {
  if (map.size === 0) return corpus;
  if (corpus.kind === 'tokens') {
    return {
      ...corpus,
      documents: corpus.documents.map((d) => ({
        ...d,
        sentences: d.sentences.map((s) => ({ ...s, ...applyLabelMap([s], map)[0] })),
      })),
    };
  }
  return {
    ...corpus,
    documents: corpus.documents.map((d) => ({
      ...d,
      entities: d.entities
        .map((e) => ({ ...e, label: map.get(e.label) ?? e.label }))
        .filter((e) => e.label !== 'O'),
    })),
  };
}
