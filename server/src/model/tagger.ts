// The neural tagger: BiLM layers -> ScalarMix -> task BiLSTM -> CRF (ELMo + BiLSTM-CRF).
// Everything task-specific is configured by TaggerConfig, stored in the model's config.json beside the
// representation config.
import * as tf from '@tensorflow/tfjs-core';
import { spansToTags } from '../formats/tagSchemes';
import { checkSizes, checkWeightCount, SIZE_LIMITS } from './config';
import { Crf, type CrfScores, type EmissionView, type SoftTarget } from './crf';
import { decodeSentence, type TokenEntity } from './decode';
import { TagSet } from './labels';
import type { CharVocab } from './vocab';
import { ScalarMix } from './scalarMix';
import { DEFAULT_TASK_ENCODER, TaskEncoder, type TaskEncoderConfig } from './taskEncoder';

export interface TaggerConfig {
  /** concatTokenLayer: also feed the BiLM's context-free token layer (layer 0) to the task BiLSTM, beside the mix. */
  scalarMix: { layerNorm: boolean; concatTokenLayer: boolean };
  encoder: TaskEncoderConfig;
  /** Words of the optional task word embedding: the most frequent training words seen at least minCount times. */
  wordVocab: { maxWords: number; minCount: number };
}

export const DEFAULT_TAGGER_CONFIG: TaggerConfig = {
  scalarMix: { layerNorm: false, concatTokenLayer: false },
  encoder: DEFAULT_TASK_ENCODER,
  wordVocab: { maxWords: 20000, minCount: 2 },
};

/** Merges a partial user config (e.g. `--config '{"encoder":{"hiddenSize":64}}'`) over the defaults. */
export function taggerConfig(partial: Partial<{ [K in keyof TaggerConfig]: Partial<TaggerConfig[K]> }> = {}): TaggerConfig {
  return {
    scalarMix: { ...DEFAULT_TAGGER_CONFIG.scalarMix, ...partial.scalarMix },
    encoder: { ...DEFAULT_TAGGER_CONFIG.encoder, ...partial.encoder, chars: { ...DEFAULT_TAGGER_CONFIG.encoder.chars, ...partial.encoder?.chars } },
    wordVocab: { ...DEFAULT_TAGGER_CONFIG.wordVocab, ...partial.wordVocab },
  };
}

/**
 * Refuses a tagger config with a size that is not a whole number, or is absurd (see SIZE_LIMITS), naming the field;
 * `inputSize` is the BiLM's output size and `taskWords` the task vocabulary (the word embedding's rows).
 */
export function checkTaggerConfig(config: TaggerConfig, inputSize: number, taskWords: number, fail: (message: string) => never): void {
  const { encoder, wordVocab } = config;
  const sizes: Array<[string, number, number]> = [
    ['encoder.hiddenSize', encoder.hiddenSize, SIZE_LIMITS.dim],
    ['encoder.wordEmbeddingDim', encoder.wordEmbeddingDim, SIZE_LIMITS.dim],
    ['encoder.chars.embeddingDim', encoder.chars.embeddingDim, SIZE_LIMITS.dim],
    ['encoder.chars.maxChars', encoder.chars.maxChars, SIZE_LIMITS.chars],
    ['encoder.chars.filters (number of widths)', encoder.chars.filters.length, SIZE_LIMITS.filters],
    ...encoder.chars.filters.map(([, count]): [string, number, number] => ['encoder.chars.filters count', count, SIZE_LIMITS.dim]),
    ['wordVocab.maxWords', wordVocab.maxWords, SIZE_LIMITS.vocabulary],
  ];
  for (const [name, value] of sizes) {
    if (!Number.isInteger(value) || value < 0) fail(`"${name}" must be a whole number >= 0 (got ${JSON.stringify(value)})`);
  }
  if (!Array.isArray(encoder.chars.filters)) fail('"encoder.chars.filters" must be [[width, count], ...]');
  checkSizes(sizes, fail);
  const H = encoder.hiddenSize;
  const charFeatures = encoder.chars.filters.reduce((n, [, count]) => n + count, 0);
  const input = inputSize * (config.scalarMix.concatTokenLayer ? 2 : 1) + encoder.wordEmbeddingDim + charFeatures;
  const weights = 2 * (input + H) * 4 * H + Math.max(taskWords, wordVocab.maxWords) * encoder.wordEmbeddingDim;
  checkWeightCount(weights, '"encoder.hiddenSize", "encoder.wordEmbeddingDim" or the word vocabulary', fail);
}

/** The BiLM's outputs for a batch: L+1 layers [B,T,D] and the mask [B,T]. */
export interface Representations {
  layers: tf.Tensor3D[];
  mask: tf.Tensor2D;
}

/** What the tagger needs from the contextual representation (the BiLM; a plain embedding in some tests). */
export interface ContextualRepresentation {
  /** Number of layers returned by layers() (L+1 for an L-layer BiLM). */
  readonly numLayers: number;
  /** D: size of each layer's token vectors. */
  readonly outputDim: number;
  readonly variables: tf.Variable[];
  /** The char vocabulary, shared with the task char-CNN when the tagger has one. */
  readonly charVocab?: CharVocab;
  apply(batch: { words: string[][] }, training: boolean): Representations;
  getWeights(): Record<string, tf.Tensor>;
  setWeights(weights: Record<string, tf.Tensor>, source?: string): void;
  dispose(): void;
}

export class TaggerModel {
  readonly mix: ScalarMix;
  readonly encoder: TaskEncoder;
  readonly crf: Crf;
  private readonly wordIndex = new Map<string, number>();
  /** Divides the CRF potentials when confidences are computed (decode.ts); fitted on dev, kept in config.json. */
  temperature = 1;

  /** words: the task word vocabulary (index 0 is reserved for unknown words; words[0] is ignored). */
  constructor(
    readonly bilm: ContextualRepresentation,
    readonly tagSet: TagSet,
    readonly config: TaggerConfig,
    readonly words: string[] = [],
  ) {
    words.forEach((w, i) => i > 0 && this.wordIndex.set(w, i));
    this.mix = new ScalarMix(bilm.numLayers, config.scalarMix.layerNorm, 'tagger/scalarMix');
    const inputSize = bilm.outputDim * (config.scalarMix.concatTokenLayer ? 2 : 1);
    this.encoder = new TaskEncoder(inputSize, tagSet.size, config.encoder, words.length, 'tagger/task', bilm.charVocab);
    this.crf = new Crf(tagSet, 'tagger/crf');
  }

  /** The BiLM layers of a batch of token sequences (right-padded). */
  represent(batch: string[][], training: boolean): Representations {
    return this.bilm.apply({ words: batch }, training);
  }

  /** Emission scores [B,T,L] from the BiLM layers. */
  emissions(batch: string[][], reps: Representations, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      let mixed = this.mix.apply(reps.layers);
      if (this.config.scalarMix.concatTokenLayer) mixed = tf.concat([mixed, reps.layers[0]], 2) as tf.Tensor3D;
      const wordIds = this.encoder.wordEmbedding ? this.wordIds(batch, mixed.shape[1]) : undefined;
      return this.encoder.apply(mixed, reps.mask, wordIds, training, batch);
    });
  }

  /** Mean negative log-likelihood per sentence (toward soft targets where given). reps must be those of `batch`. */
  loss(batch: string[][], tags: Int32Array[], reps: Representations, training: boolean, targets?: ReadonlyArray<SoftTarget | undefined>): tf.Scalar {
    return tf.tidy(() => {
      const em = this.emissions(batch, reps, training);
      return tf.div(this.crf.negLogLikelihood(em, tags, batch.map((s) => s.length), targets), batch.length) as tf.Scalar;
    });
  }

  /**
   * Entities of each sentence of a batch, with CRF confidences unless withConfidence is false. `reps` are the
   * batch's BiLM layers when already known (a frozen-BiLM feature cache); they are not disposed here.
   */
  predict(batch: string[][], withConfidence = true, reps?: Representations): TokenEntity[][] {
    const { views, scores } = this.crfInputs(batch, reps);
    return views.map((view) => decodeSentence(view, scores, this.tagSet, withConfidence, this.temperature));
  }

  /** Each sentence's emission scores and the CRF's scores: what decoding needs, at any temperature. */
  crfInputs(batch: string[][], reps?: Representations): { views: EmissionView[]; scores: CrfScores } {
    const scores = this.crf.scores();
    if (batch.length === 0) return { views: [], scores };
    const data = tf.tidy(() => this.emissions(batch, reps ?? this.represent(batch, false), false));
    const [, T, L] = data.shape;
    const values = data.dataSync();
    data.dispose();
    return { views: batch.map((sentence, b) => ({ data: values, offset: b * T * L, length: sentence.length })), scores };
  }

  /** IOB2 tags of each sentence (for evaluation on pre-tokenised data). */
  predictTags(batch: string[][], reps?: Representations): string[][] {
    return this.predict(batch, false, reps).map((entities, b) =>
      spansToTags(entities.map((e) => ({ start: e.first, end: e.last + 1, label: e.label })), batch[b].length),
    );
  }

  /** Variables of the task layers (scalar mix, task BiLSTM, CRF). */
  get taskVariables(): tf.Variable[] {
    return [...this.mix.variables, ...this.encoder.variables, ...this.crf.variables];
  }

  /** After an optimizer step changes the BiLM's weights, its inference cache of token vectors is stale. */
  bilmWeightsChanged(): void {
    (this.bilm as { encoder?: { clearCache?(): void } }).encoder?.clearCache?.();
  }

  getWeights(): Record<string, tf.Tensor> {
    return {
      ...this.bilm.getWeights(),
      ...this.mix.params.getWeights(),
      ...this.encoder.getWeights(),
      ...this.crf.params.getWeights(),
    };
  }

  /** Assigns every weight by name; a missing weight or a shape mismatch is a UserError naming `source`. */
  setWeights(weights: Record<string, tf.Tensor>, source?: string): void {
    this.bilm.setWeights(weights, source);
    this.mix.params.setWeights(weights, source);
    this.encoder.setWeights(weights, source);
    this.crf.params.setWeights(weights, source);
  }

  /** Expected shape of every weight by name. */
  weightShapes(): Record<string, number[]> {
    return Object.fromEntries(Object.entries(this.getWeights()).map(([k, v]) => [k, v.shape]));
  }

  dispose(): void {
    this.mix.dispose();
    this.encoder.dispose();
    this.crf.dispose();
    this.bilm.dispose();
  }

  /** [B,T] int32 ids of the task word vocabulary (0 = unknown or padding). */
  private wordIds(batch: string[][], T: number): tf.Tensor2D {
    const ids = new Int32Array(batch.length * T);
    batch.forEach((sentence, b) => sentence.forEach((w, t) => (ids[b * T + t] = this.wordIndex.get(w.toLowerCase()) ?? 0)));
    return tf.tensor2d(ids, [batch.length, T], 'int32');
  }
}

/** The task word vocabulary of training sentences: index 0 = `<unk>`, then lower-cased words by frequency. */
export function buildTaskWords(sentences: Iterable<string[]>, maxWords: number, minCount: number): string[] {
  const counts = new Map<string, number>();
  for (const s of sentences) for (const w of s) counts.set(w.toLowerCase(), (counts.get(w.toLowerCase()) ?? 0) + 1);
  const kept = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return ['<unk>', ...kept.slice(0, maxWords).map(([w]) => w)];
}

/**
 * The same tagger with more entity types (continuing a model on data with new labels). The old types keep their
 * tag indices (they are a prefix of the new tag set), so every old weight is copied into the top-left corner of
 * its new, larger tensor; the parts for new tags keep their fresh initialisation. Takes over the BiLM and
 * disposes the old task layers.
 */
export function withEntityTypes(model: TaggerModel, newTypes: string[]): TaggerModel {
  const added = newTypes.filter((t) => !model.tagSet.types.includes(t));
  if (added.length === 0) return model;
  const expanded = new TaggerModel(model.bilm, new TagSet([...model.tagSet.types, ...added.sort()]), model.config, model.words);
  return withTaskLayersOf(model, expanded, (before, fresh) => {
    const values = fresh.dataSync().slice();
    const previous = before.dataSync();
    // Rank 1 ([L]) or rank 2 ([2H, L] or [L, L]): the old values are the leading rows and columns.
    const shape = before.shape as number[];
    const [rows, cols] = shape.length === 1 ? [1, shape[0]] : [shape[0], shape[1]];
    const newCols = (fresh.shape as number[])[fresh.rank - 1];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * newCols + c] = previous[r * cols + c];
    return values;
  });
}

/**
 * The same tagger with `newWords` (lower-cased; those it lacks) added to its task word vocabulary, each starting as the
 * unknown word's embedding: it tags exactly as before, and training can then give a name a user teaches a meaning of
 * its own, which no other word shares (an unknown word's embedding is every unknown word's). Takes over the BiLM and
 * disposes the old task layers; a model without a task word embedding is returned as it is.
 */
export function withTaskWords(model: TaggerModel, newWords: Iterable<string>): TaggerModel {
  const known = new Set(model.words);
  const added = [...new Set([...newWords].map((w) => w.toLowerCase()))].filter((w) => !known.has(w)).sort();
  if (!model.encoder.wordEmbedding || model.words.length === 0 || added.length === 0) return model;
  const expanded = new TaggerModel(model.bilm, model.tagSet, model.config, [...model.words, ...added]);
  return withTaskLayersOf(model, expanded, (before, fresh) => {
    // [V, E] -> [V + added, E]: the old rows, then copies of row 0 (the unknown word).
    const values = new Float32Array(fresh.size);
    const previous = before.dataSync();
    const dim = before.shape[1]!;
    values.set(previous);
    for (let r = before.shape[0]!; r < fresh.shape[0]!; r++) values.set(previous.subarray(0, dim), r * dim);
    return values;
  });
}

/**
 * Gives `expanded` (a tagger built on `model`'s BiLM) the task weights of `model`: those of the same shape as they
 * are, the others as `grow(old, fresh)` makes them; then disposes `model`'s task layers.
 */
function withTaskLayersOf(
  model: TaggerModel,
  expanded: TaggerModel,
  grow: (before: tf.Tensor, fresh: tf.Tensor) => tf.TypedArray,
): TaggerModel {
  const old = model.getWeights();
  const shared = new Set(Object.keys(model.bilm.getWeights())); // the same variables: never assigned to themselves
  const weights: Record<string, tf.Tensor> = {};
  for (const [name, fresh] of Object.entries(expanded.getWeights())) {
    if (shared.has(name)) continue;
    const before = old[name];
    weights[name] = before.shape.join() === fresh.shape.join() ? before : tf.tensor(grow(before, fresh), fresh.shape);
  }
  expanded.mix.params.setWeights(weights);
  expanded.encoder.setWeights(weights);
  expanded.crf.params.setWeights(weights);
  for (const [name, t] of Object.entries(weights)) if (t !== old[name]) t.dispose();
  model.mix.dispose();
  model.encoder.dispose();
  model.crf.dispose();
  return expanded;
}
