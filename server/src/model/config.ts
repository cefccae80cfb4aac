// The contextual representation's hyper-parameters (char-CNN -> highway -> projection -> BiLM), stored as JSON in a
// model directory's config.json under "representation".
import { UserError } from '../errors';

export interface LmSoftmaxConfig {
  /** "sampled": shared negatives drawn log-uniformly over the frequency-sorted vocabulary (training only);
   *  "full": exact softmax over the whole word vocabulary. Held-out perplexity always uses the full softmax. */
  kind: 'sampled' | 'full';
  /** Number of shared negative samples per batch (sampled softmax). */
  negatives: number;
}

export interface RepresentationConfig {
  /** Char embedding size d. */
  charEmbeddingDim: number;
  /** Char-CNN filters as [width, count] pairs; their counts sum to F. */
  charFilters: Array<[number, number]>;
  /** Characters per word including the begin/end-of-word markers; longer words are truncated. */
  maxCharsPerWord: number;
  /**
   * The char-CNN's max-pool skips the windows of padding, so a word's vector depends on its spelling only. Models
   * saved before this existed lack it and keep their behaviour (false): their weights learnt the padding.
   */
  maskCharPadding: boolean;
  /** Highway layers over the F-dim char-CNN output. */
  highwayLayers: number;
  /** P: size of the token representation (projection of the highway output) and of each LSTM's projection. */
  projectionDim: number;
  lstm: {
    layers: number;
    /** H: LSTM cell size. */
    hidden: number;
    /** Dropout on the token representation and between LSTM layers during training. */
    dropout: number;
    cellClip: number;
    projClip: number;
  };
  softmax: LmSoftmaxConfig;
}

/** The reference (ELMo-small-like) configuration: ~9.5 MFLOP/token for the BiLM forward pass. */
export const REFERENCE_CONFIG: RepresentationConfig = {
  charEmbeddingDim: 16,
  charFilters: [[1, 32], [2, 32], [3, 64], [4, 128], [5, 256]],
  maxCharsPerWord: 50,
  maskCharPadding: true,
  highwayLayers: 2,
  projectionDim: 256,
  lstm: { layers: 2, hidden: 512, dropout: 0.1, cellClip: 3, projClip: 3 },
  softmax: { kind: 'sampled', negatives: 1024 },
};

/** A small configuration for a quick shipped model on 1-2 cores (about 4x cheaper than the reference). */
export const SMALL_CONFIG: RepresentationConfig = {
  charEmbeddingDim: 16,
  charFilters: [[1, 32], [2, 32], [3, 64], [4, 64], [5, 64]],
  maxCharsPerWord: 50,
  maskCharPadding: true,
  highwayLayers: 1,
  projectionDim: 128,
  lstm: { layers: 2, hidden: 256, dropout: 0.1, cellClip: 3, projClip: 3 },
  softmax: { kind: 'sampled', negatives: 512 },
};

/** A tiny configuration for unit tests. */
export const TINY_CONFIG: RepresentationConfig = {
  charEmbeddingDim: 4,
  charFilters: [[1, 4], [2, 4], [3, 8]],
  maxCharsPerWord: 20,
  maskCharPadding: true,
  highwayLayers: 1,
  projectionDim: 8,
  lstm: { layers: 2, hidden: 12, dropout: 0, cellClip: 3, projClip: 3 },
  softmax: { kind: 'sampled', negatives: 16 },
};

export const NAMED_CONFIGS: Record<string, RepresentationConfig> = {
  reference: REFERENCE_CONFIG,
  small: SMALL_CONFIG,
  tiny: TINY_CONFIG,
};

/** Total char-CNN filters F. */
export function charCnnOutputDim(config: RepresentationConfig): number {
  return config.charFilters.reduce((sum, [, count]) => sum + count, 0);
}

/**
 * Multiply-add FLOPs (x2) per token of the BiLM forward pass, with the char-CNN/highway counted once per token at
 * `charsPerWord` characters (dedupe of word types makes the real cost lower).
 */
export function forwardFlopsPerToken(config: RepresentationConfig, charsPerWord = 12): number {
  const d = config.charEmbeddingDim;
  const F = charCnnOutputDim(config);
  const P = config.projectionDim;
  const H = config.lstm.hidden;
  let cnn = 0;
  for (const [w, n] of config.charFilters) cnn += 2 * Math.max(1, charsPerWord - w + 1) * w * d * n;
  const highway = config.highwayLayers * 2 * F * 2 * F;
  const projection = 2 * F * P;
  const lstmLayer = 2 * P * 4 * H + 2 * P * 4 * H + 2 * H * P;
  return cnn + highway + projection + 2 * config.lstm.layers * lstmLayer;
}

/**
 * Upper bounds of every size in a config, far above any model that trains on a workstation yet low enough that a
 * typo (hidden 1e9, layers 1e6) is refused up front, naming the file and field, instead of a RangeError or a wasm
 * abort after 4 GB. Weights live in wasm memory (4 GB at most, and training holds several copies).
 */
export const SIZE_LIMITS = { dim: 16384, layers: 32, filters: 64, chars: 1000, negatives: 1_000_000, vocabulary: 10_000_000 };
/** At most 250 million weights (1 GB of float32) in a representation or a tagger. */
export const MAX_WEIGHTS = 250_000_000;

/** Refuses the first size above its limit: `"lstm.hidden" is 1000000000, more than 16384`. */
export function checkSizes(sizes: Array<[name: string, value: number, max: number]>, fail: (message: string) => never): void {
  for (const [name, value, max] of sizes) {
    if (value > max) fail(`"${name}" is ${value}, more than ${max} (a model this size cannot be held in memory)`);
  }
}

/** Refuses a config whose weights would not fit, naming the fields that make it large. */
export function checkWeightCount(weights: number, largest: string, fail: (message: string) => never): void {
  if (weights > MAX_WEIGHTS) {
    fail(`the model would have ${(weights / 1e6).toFixed(0)} million weights, more than ${MAX_WEIGHTS / 1e6} million: lower ${largest}`);
  }
}

/** Weights of the BiLM (char-CNN, highway, projection, LSTMs) without the char embedding. */
function representationWeights(c: RepresentationConfig): number {
  const F = charCnnOutputDim(c);
  const P = c.projectionDim;
  const H = c.lstm.hidden;
  const cnn = c.charFilters.reduce((n, [w, k]) => n + w * c.charEmbeddingDim * k, 0);
  return cnn + c.highwayLayers * 2 * F * F + F * P + 2 * c.lstm.layers * ((P + P) * 4 * H + H * P);
}

/**
 * Parses and validates a representation config from JSON text or a named preset ("reference", "small", "tiny").
 * `source` names the file for error messages.
 */
export function parseRepresentationConfig(json: unknown, source: string): RepresentationConfig {
  if (typeof json === 'string' && NAMED_CONFIGS[json]) return structuredClone(NAMED_CONFIGS[json]);
  const c = json as Partial<RepresentationConfig> | null;
  const fail = (msg: string): never => {
    throw new UserError(`${source}: ${msg}`);
  };
  if (!c || typeof c !== 'object') fail('expected a JSON object with the representation config');
  const base = structuredClone(REFERENCE_CONFIG);
  const merged: RepresentationConfig = {
    ...base,
    ...c,
    lstm: { ...base.lstm, ...(c!.lstm ?? {}) },
    softmax: { ...base.softmax, ...(c!.softmax ?? {}) },
    // Absent in configs written before it existed: those models were trained without the mask.
    maskCharPadding: c!.maskCharPadding ?? false,
  };
  const positiveInt = (v: unknown, name: string) => {
    if (!Number.isInteger(v) || (v as number) <= 0) fail(`"${name}" must be a positive integer (got ${JSON.stringify(v)})`);
  };
  positiveInt(merged.charEmbeddingDim, 'charEmbeddingDim');
  positiveInt(merged.maxCharsPerWord, 'maxCharsPerWord');
  positiveInt(merged.projectionDim, 'projectionDim');
  positiveInt(merged.lstm.layers, 'lstm.layers');
  positiveInt(merged.lstm.hidden, 'lstm.hidden');
  positiveInt(merged.softmax.negatives, 'softmax.negatives');
  if (!Number.isInteger(merged.highwayLayers) || merged.highwayLayers < 0) fail('"highwayLayers" must be >= 0');
  if (!Array.isArray(merged.charFilters) || merged.charFilters.length === 0) fail('"charFilters" must be [[width, count], ...]');
  for (const f of merged.charFilters) {
    if (!Array.isArray(f) || f.length !== 2) fail(`"charFilters": bad entry ${JSON.stringify(f)}`);
    positiveInt(f[0], 'charFilters width');
    positiveInt(f[1], 'charFilters count');
    if (f[0] > merged.maxCharsPerWord) fail(`"charFilters": width ${f[0]} exceeds maxCharsPerWord`);
  }
  if (typeof merged.maskCharPadding !== 'boolean') fail('"maskCharPadding" must be true or false');
  if (!(merged.lstm.dropout >= 0 && merged.lstm.dropout < 1)) fail('"lstm.dropout" must be in [0, 1)');
  if (merged.softmax.kind !== 'sampled' && merged.softmax.kind !== 'full') fail('"softmax.kind" must be "sampled" or "full"');
  const { dim, layers, filters, chars, negatives } = SIZE_LIMITS;
  checkSizes(
    [
      ['charEmbeddingDim', merged.charEmbeddingDim, dim],
      ['maxCharsPerWord', merged.maxCharsPerWord, chars],
      ['highwayLayers', merged.highwayLayers, layers],
      ['projectionDim', merged.projectionDim, dim],
      ['lstm.layers', merged.lstm.layers, layers],
      ['lstm.hidden', merged.lstm.hidden, dim],
      ['softmax.negatives', merged.softmax.negatives, negatives],
      ['charFilters (number of widths)', merged.charFilters.length, filters],
      ...merged.charFilters.map(([, count]): [string, number, number] => ['charFilters count', count, dim]),
    ],
    fail,
  );
  checkWeightCount(representationWeights(merged), '"lstm.hidden", "projectionDim" or "lstm.layers"', fail);
  return merged;
}
