// Keeping what a model knew while it learns from partial annotations: the text a user did not review is labelled with
// the model's own predictions before fine-tuning (self-distillation), so fine-tuning on a few annotated mentions does
// not unlearn the entities the model already found in the same notes. Soft (selfTargets): the initial model's whole
// distribution over tag paths, conditioned on what the user annotated, is the target; hard (fillUnknownTags): its
// confident entities become known tags.
import * as tf from '@tensorflow/tfjs-core';
import { UNKNOWN_TAG } from '../formats/tagSchemes';
import { bucketBatches } from '../model/batching';
import type { SoftTarget } from '../model/crf';
import type { RepresentationLookup } from '../model/evaluateModel';
import type { TaggerModel } from '../model/tagger';
import type { TaggedSentence } from '../types';

export interface SelfLabelOptions {
  /** The model's entities at least this confident become known tags; less confident ones stay unknown. */
  minConfidence: number;
  /** Sentences per model call. */
  batchSize: number;
}

// 0.5 (the model's own decision) kept test F1 closer to the old model's than 0.9 in bench/model-teach.ts.
export const DEFAULT_SELF_LABELS: SelfLabelOptions = { minConfidence: 0.5, batchSize: 32 };

export interface SelfLabelStats {
  sentences: number;
  /** Unknown tokens that became known (entity or `O`). */
  filled: number;
  /** Unknown tokens left unknown (uncertain predictions, or words the user annotated elsewhere). */
  leftUnknown: number;
}

/**
 * Returns the sentences with their unknown tags filled in from `model`: a confident predicted entity whose tokens are
 * all unknown and hold no word the user annotated gets its B-/I- tags; an unknown token outside every predicted entity becomes `O`, unless its word is
 * part of a mention the user annotated somewhere (a name being taught stays unknown where it was not annotated).
 * Known tags are never changed; sentences without unknown tags are returned as they are.
 */
export function fillUnknownTags(
  model: TaggerModel,
  sentences: readonly TaggedSentence[],
  options: SelfLabelOptions = DEFAULT_SELF_LABELS,
): { sentences: TaggedSentence[]; stats: SelfLabelStats } {
  const taughtWords = wordsOfAnnotations(sentences);
  const partial = sentences.map((s, i) => (s.tags.includes(UNKNOWN_TAG) ? i : -1)).filter((i) => i >= 0);
  const out = [...sentences];
  const stats: SelfLabelStats = { sentences: partial.length, filled: 0, leftUnknown: 0 };
  for (let b = 0; b < partial.length; b += options.batchSize) {
    const batch = partial.slice(b, b + options.batchSize);
    const predicted = model.predict(batch.map((i) => sentences[i].tokens));
    batch.forEach((i, k) => {
      const { tokens, tags } = sentences[i];
      const filled = [...tags];
      const inEntity = new Uint8Array(tokens.length);
      for (const e of predicted[k]) {
        inEntity.fill(1, e.first, e.last + 1);
        const allUnknown = tags.slice(e.first, e.last + 1).every((tag) => tag === UNKNOWN_TAG);
        if (e.confidence < options.minConfidence || !allUnknown) continue;
        // A name the user annotated somewhere is theirs to label: the old model's label would contradict the lesson.
        if (tokens.slice(e.first, e.last + 1).some((token) => taughtWords.has(token.toLowerCase()))) continue;
        // The token after a filled entity must not be read as its continuation: a known I- there would extend it.
        if (tags[e.last + 1]?.startsWith('I-')) continue;
        for (let t = e.first; t <= e.last; t++) filled[t] = `${t === e.first ? 'B' : 'I'}-${e.label}`;
      }
      for (let t = 0; t < tokens.length; t++) {
        if (filled[t] !== UNKNOWN_TAG || inEntity[t] || taughtWords.has(tokens[t].toLowerCase())) continue;
        filled[t] = 'O';
      }
      for (let t = 0; t < tokens.length; t++) {
        if (tags[t] !== UNKNOWN_TAG) continue;
        if (filled[t] === UNKNOWN_TAG) stats.leftUnknown++;
        else stats.filled++;
      }
      out[i] = { tokens, tags: filled };
    });
  }
  return { sentences: out, stats };
}

/** Lower-cased words inside a known entity anywhere in the user's sentences: the names the user is teaching. */
export function wordsOfAnnotations(sentences: readonly TaggedSentence[]): Set<string> {
  const words = new Set<string>();
  for (const s of sentences.filter((x) => !x.rehearsal)) s.tags.forEach((tag, t) => tag !== 'O' && tag !== UNKNOWN_TAG && words.add(s.tokens[t].toLowerCase()));
  return words;
}

/**
 * Soft self-labels: for each sentence with unknown tags, the model's own emission and CRF scores as it is now (the
 * teacher, before fine-tuning), for training toward its distribution conditioned on the known tags (crf.ts
 * SoftTarget); undefined for fully known sentences. An unknown token whose word is part of a mention the user annotated
 * somewhere has no teacher opinion (`own`): the old model's "no entity" there would contradict the lesson.
 * `teacherTypes` are the entity types the model had before new ones were added for this training: the teacher gives
 * no mass to the others. `lookup` gives the sentences' BiLM layers when they are cached.
 */
export function selfTargets(
  model: TaggerModel,
  sentences: readonly TaggedSentence[],
  teacherTypes: readonly string[] = model.tagSet.types,
  lookup?: RepresentationLookup,
  batchTokens = 4096,
): Array<SoftTarget | undefined> {
  const taughtWords = wordsOfAnnotations(sentences);
  const scores = model.crf.scores();
  const unknownTag = Array.from({ length: scores.numTags }, (_, j) => j > 0 && !teacherTypes.includes(model.tagSet.typeOf(j)!));
  const targets = new Array<SoftTarget | undefined>(sentences.length);
  const partial = sentences.map((s, i) => (s.tags.includes(UNKNOWN_TAG) ? i : -1)).filter((i) => i >= 0);
  for (const batch of bucketBatches(partial.map((i) => sentences[i].tokens.length), { maxTokens: batchTokens })) {
    const indices = batch.map((k) => partial[k]);
    const reps = lookup?.(indices);
    const { views } = model.crfInputs(indices.map((i) => sentences[i].tokens), reps);
    if (reps) tf.dispose([...reps.layers, reps.mask]);
    indices.forEach((i, b) => {
      const { tokens, tags } = sentences[i];
      const L = scores.numTags;
      const view = views[b];
      const emissions = Float32Array.from({ length: tokens.length * L }, (_, k) => (unknownTag[k % L] ? -Infinity : view.data[view.offset + k]));
      const own = Uint8Array.from(tokens, (token, t) => (tags[t] === UNKNOWN_TAG && taughtWords.has(token.toLowerCase()) ? 1 : 0));
      targets[i] = { emissions, scores, own };
    });
  }
  return targets;
}
