// Fine-tuning a tagger on IOB2 sentences (the shape of Flair's SequenceTagger training): batches of similar length,
// Adam with global-norm gradient clipping, strict span F1 on the dev set after every epoch, learning-rate decay when
// dev F1 stops improving (patience), early stopping, the best model kept, and a wall-clock limit.
import * as tf from '@tensorflow/tfjs-core';
import type { TaggedSentence } from '../types';
import { bucketBatches, seededRandom } from '../model/batching';
import { evaluateModel, type ModelEvaluation } from '../model/evaluateModel';
import { cutLongSentences } from './trainingData';
import { BilmFeatureCache } from './featureCache';
import { selfTargets } from './selfLabels';
import type { SoftTarget } from '../model/crf';
import type { Representations, TaggerModel } from '../model/tagger';

export interface FinetuneOptions {
  epochs: number;
  /** Adam learning rate of the task layers. */
  lr: number;
  /** Padded tokens per batch (the task BiLSTM costs about the same per time step at any batch size on wasm, so
   *  larger batches train faster per token: measured 2,170 -> 3,060 tok/s from 1,024 to 2,048). */
  batchTokens: number;
  /** Global gradient norm limit. */
  clipNorm: number;
  /** Keep the BiLM fixed (its layers are computed without gradients). */
  freezeBilm: boolean;
  /** BiLM learning rate = lr * bilmLrFactor when not frozen. */
  bilmLrFactor: number;
  /** 'plateau': the learning rate is multiplied by lrDecay after `patience` epochs without dev improvement, and
   *  training stops below minLr. 'cosine': it follows a cosine from lr down to minLr over the epochs
   *  (cosineLearningRate); the dev set, if any, still picks the best epoch. Without a dev set it is always cosine. */
  lrSchedule: 'plateau' | 'cosine';
  /** Length of the cosine in epochs (default `epochs`). Longer than `epochs`, training stops part-way down the
   *  cosine: retraining on train + dev reproduces "epoch 9 of a 12-epoch cosine" that a dev run picked. */
  scheduleEpochs?: number;
  /** Epochs without dev improvement before the learning rate is multiplied by lrDecay (plateau schedule). */
  patience: number;
  lrDecay: number;
  /** Stop when the learning rate decays below this. */
  minLr: number;
  /** Stop (keeping the best model so far) after this many minutes. */
  maxMinutes?: number;
  /** Seed of the batch order and of the task layers' dropout: with a frozen BiLM (whose dropout is not seeded) a run
   *  repeats exactly. */
  seed: number;
  /** With a frozen BiLM, compute its layers once and keep them in memory (numLayers x D x 4 bytes per token). */
  cacheBilmFeatures: boolean;
  /** Soft self-labels: the unknown tags of partial sentences are trained toward the model's own distribution as it
   *  was before this training (train/selfLabels.ts selfTargets), not left free; the value lists the entity types the
   *  model had before new ones were added for this training. */
  selfTargets: false | { teacherTypes: string[] };
  /** Keeping the starting point (L2-SP, Li et al. 2018): adds anchor / 2 x the squared distance of the task layers'
   *  weights from their values before this training to each batch's loss. 0 = none. */
  anchor: number;
  /** Rehearsal sentences (marked `rehearsal`) trained per epoch for each of the user's sentences: a few taught
   *  sentences beside the whole rehearsal sample would be outweighed by it. Each epoch takes the next ones of a
   *  shuffled cycle, so all are seen over the epochs. Infinity = all of them every epoch. */
  rehearsalRatio: number;
}

export const DEFAULT_FINETUNE: FinetuneOptions = {
  epochs: 20,
  // 5e-3 learns much faster than 2e-3 in the first epochs on BC5CDR (bench/HISTORY.md); plateaus halve it (patience).
  lr: 5e-3,
  batchTokens: 2048,
  clipNorm: 5,
  freezeBilm: true,
  bilmLrFactor: 0.1,
  lrSchedule: 'plateau',
  patience: 2,
  lrDecay: 0.5,
  minLr: 1e-4,
  seed: 1,
  cacheBilmFeatures: true,
  selfTargets: false,
  anchor: 0,
  rehearsalRatio: 1,
};

export type TrainEvent =
  | { event: 'start'; sentences: number; tokens: number; batches: number; epochs: number; devSentences: number }
  | { event: 'progress'; epoch: number; done: number; total: number; loss: number; tokensPerSecond: number }
  /** Computing the frozen BiLM's layers once, before the first epoch (`done`/`total` sentences). */
  | { event: 'features'; split: 'train' | 'dev'; done: number; total: number }
  | {
      event: 'epoch';
      epoch: number;
      /** The maximum number of epochs. */
      epochs: number;
      loss: number;
      /** Dev scores; absent without a dev set (nothing was measured). */
      devF1?: number;
      devPrecision?: number;
      devRecall?: number;
      lr: number;
      best: boolean;
      seconds: number;
    }
  | { event: 'done'; epochs: number; bestEpoch: number; bestDevF1: number; stoppedBy: StopReason; seconds: number };

export type StopReason = 'epochs' | 'early-stopping' | 'time-limit' | 'interrupted';

export interface FinetuneHooks {
  /** Aborting stops after the current batch (the best model so far is kept, as with the time limit). */
  signal?: AbortSignal;
  onEvent?(event: TrainEvent): void;
  /** Called when dev F1 improves, with the model holding the new best weights (e.g. to save it). */
  onBest?(epoch: number, dev: ModelEvaluation): Promise<void> | void;
}

export interface FinetuneResult {
  bestEpoch: number;
  /** The best epoch's dev evaluation; its predictions are of the dev sentences as given (long ones joined again). */
  bestDev?: ModelEvaluation;
  epochs: number;
  stoppedBy: StopReason;
}

/**
 * Trains `model` in place; at the end the model holds the weights of the best dev epoch (or of the last epoch when
 * there is no dev set).
 */
export async function finetune(
  model: TaggerModel,
  wholeTrain: TaggedSentence[],
  wholeDev: TaggedSentence[],
  options: FinetuneOptions,
  hooks: FinetuneHooks = {},
): Promise<FinetuneResult> {
  const train = cutLongSentences(wholeTrain);
  const dev = cutLongSentences(wholeDev);
  const emit = hooks.onEvent ?? (() => {});
  const started = performance.now();
  const deadline = options.maxMinutes === undefined ? Infinity : started + options.maxMinutes * 60_000;
  const words = train.map((s) => s.tokens);
  const tags = train.map((s) => model.tagSet.encode(s.tags));
  const lengths = words.map((s) => s.length);
  const random = seededRandom(options.seed);
  // A stream of its own: the batch order does not depend on how many dropout masks a step draws.
  model.encoder.seedNoise(seededRandom(options.seed + 0x9e3779b9));
  const epochSentences = rehearsalSchedule(train, options.rehearsalRatio, random);
  const batchesOf = (sentences: number[], shuffle: boolean): number[][] =>
    bucketBatches(sentences.map((i) => lengths[i]), { maxTokens: options.batchTokens, shuffle, random }).map((batch) => batch.map((j) => sentences[j]));
  const batchCount = batchesOf(epochSentences.peek(), false).length;
  const totalTokens = words.reduce((n, s) => n + s.length, 0);
  emit({ event: 'start', sentences: train.length, tokens: totalTokens, batches: batchCount, epochs: options.epochs, devSentences: dev.length });

  // A frozen BiLM's layers are computed once; every epoch then runs only the task layers.
  const featureCache = async (sentences: TaggedSentence[], split: 'train' | 'dev') => {
    if (!options.freezeBilm || !options.cacheBilmFeatures || sentences.length === 0) return undefined;
    let last = 0;
    const onProgress = (done: number, total: number) => {
      if (performance.now() - last > 1000 || done === total) {
        last = performance.now();
        emit({ event: 'features', split, done, total });
      }
    };
    return BilmFeatureCache.build(sentences.map((s) => s.tokens), model, { batchTokens: options.batchTokens * 2, onProgress, signal: hooks.signal });
  };
  const trainFeatures = await featureCache(train, 'train');
  const devFeatures = await featureCache(dev, 'dev');
  if (hooks.signal?.aborted) {
    emit({ event: 'done', epochs: 0, bestEpoch: 0, bestDevF1: 0, stoppedBy: 'interrupted', seconds: (performance.now() - started) / 1000 });
    return { bestEpoch: 0, epochs: 0, stoppedBy: 'interrupted' };
  }
  // The model as it starts is the teacher of its soft self-labels and the anchor of its weights.
  const targets = options.selfTargets
    ? selfTargets(model, train, options.selfTargets.teacherTypes, trainFeatures && ((indices) => trainFeatures.representations(indices)))
    : undefined;
  const initial = options.anchor > 0 ? model.taskVariables.map((v) => tf.clone(v)) : undefined;

  const taskOptimizer = tf.train.adam(options.lr);
  const bilmOptimizer = options.freezeBilm ? undefined : tf.train.adam(options.lr * options.bilmLrFactor);
  let lr = options.lr;
  const cosine = options.lrSchedule === 'cosine' || !dev.length;
  const changeLearningRate = (rate: number): void => {
    lr = rate;
    setLearningRate(taskOptimizer, rate);
    if (bilmOptimizer) setLearningRate(bilmOptimizer, rate * options.bilmLrFactor);
  };
  let best: { epoch: number; f1: number; weights: Record<string, tf.Tensor>; dev: ModelEvaluation } | undefined;
  let badEpochs = 0;
  let stoppedBy: StopReason = 'epochs';
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= options.epochs; epoch++) {
      const epochStart = performance.now();
      if (cosine) changeLearningRate(cosineLearningRate(options, epoch));
      let lossSum = 0;
      let tokensDone = 0;
      let lastReport = 0;
      let sentencesDone = 0;
      const batches = batchesOf(epochSentences.next(), true);
      for (let k = 0; k < batches.length; k++) {
        const batch = batches[k];
        const reps = trainFeatures ? () => trainFeatures.representations(batch) : undefined;
        const extras = { targets: targets && batch.map((i) => targets[i]), initial };
        lossSum += trainStep(model, batch.map((i) => words[i]), batch.map((i) => tags[i]), options, taskOptimizer, bilmOptimizer, reps, extras) * batch.length;
        tokensDone += batch.reduce((n, i) => n + words[i].length, 0);
        sentencesDone += batch.length;
        const now = performance.now();
        if (now - lastReport > 1000 || k === batches.length - 1) {
          lastReport = now;
          emit({
            event: 'progress',
            epoch,
            done: k + 1,
            total: batches.length,
            loss: lossSum / sentencesDone,
            tokensPerSecond: tokensDone / ((now - epochStart) / 1000),
          });
          // Let the event loop breathe (progress output, signals) between batches.
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (now > deadline || hooks.signal?.aborted) {
          stoppedBy = hooks.signal?.aborted ? 'interrupted' : 'time-limit';
          break;
        }
      }
      const loss = lossSum / Math.max(1, sentencesDone);
      const devLookup = devFeatures ? (indices: number[]) => devFeatures.representations(indices) : undefined;
      // Scored on the dev sentences as given (the cached layers are of their pieces), as the initial model is:
      // the predictions of the best epoch then line up with the caller's dev set (the held-out before/after report).
      const devEval = dev.length ? evaluateModel(model, wholeDev, options.batchTokens * 2, devLookup) : undefined;
      const f1 = devEval?.overall.f1 ?? 0;
      // Without a dev set there is no best epoch: the last one is kept.
      const improved = devEval !== undefined && (!best || f1 > best.f1);
      if (improved) {
        if (best) for (const t of Object.values(best.weights)) t.dispose();
        best = { epoch, f1, weights: cloneWeights(model), dev: devEval };
        badEpochs = 0;
        await hooks.onBest?.(epoch, devEval);
      } else if (!cosine && ++badEpochs >= options.patience) {
        changeLearningRate(lr * options.lrDecay);
        badEpochs = 0;
      }
      emit({
        event: 'epoch',
        epoch,
        epochs: options.epochs,
        loss,
        ...(devEval ? { devF1: f1, devPrecision: devEval.overall.precision, devRecall: devEval.overall.recall } : {}),
        lr,
        best: improved,
        seconds: (performance.now() - epochStart) / 1000,
      });
      if (stoppedBy === 'time-limit' || stoppedBy === 'interrupted') break;
      if (performance.now() > deadline) {
        stoppedBy = 'time-limit';
        break;
      }
      if (!cosine && lr < options.minLr) {
        stoppedBy = 'early-stopping';
        break;
      }
    }
    const epochs = Math.min(epoch, options.epochs);
    // Only a dev set makes a best epoch; without one the model keeps the last epoch's weights.
    if (best) model.setWeights(best.weights);
    const bestEpoch = dev.length ? (best?.epoch ?? 0) : epochs;
    emit({ event: 'done', epochs, bestEpoch, bestDevF1: best?.f1 ?? 0, stoppedBy, seconds: (performance.now() - started) / 1000 });
    return { bestEpoch, bestDev: best?.dev, epochs, stoppedBy };
  } finally {
    if (best) for (const t of Object.values(best.weights)) t.dispose();
    if (initial) tf.dispose(initial);
    taskOptimizer.dispose();
    bilmOptimizer?.dispose();
  }
}

/**
 * The sentences of each epoch: every one of the user's, and `ratio` rehearsal sentences per user sentence (all of
 * them when there are fewer, or when no sentence is the user's), taken in turn from a cycle reshuffled when used up.
 */
export function rehearsalSchedule(
  train: readonly TaggedSentence[],
  ratio: number,
  random: () => number,
): { next(): number[]; peek(): number[] } {
  const own = train.flatMap((s, i) => (s.rehearsal ? [] : [i]));
  const rehearsal = train.flatMap((s, i) => (s.rehearsal ? [i] : []));
  const perEpoch = rehearsedPerEpoch(own.length, rehearsal.length, ratio);
  if (perEpoch === rehearsal.length) return { next: () => [...own, ...rehearsal], peek: () => [...own, ...rehearsal] };
  let cycle: number[] = [];
  const take = (consume: boolean): number[] => {
    if (cycle.length < perEpoch) cycle = [...cycle, ...shuffled(rehearsal.filter((i) => !cycle.includes(i)), random)];
    const taken = cycle.slice(0, perEpoch);
    if (consume) cycle = cycle.slice(perEpoch);
    return [...own, ...taken];
  };
  return { next: () => take(true), peek: () => take(false) };
}

/** Rehearsal sentences per epoch beside `own` sentences of the user's (all of them when the user has none). */
export function rehearsedPerEpoch(own: number, rehearsal: number, ratio: number): number {
  return own === 0 ? rehearsal : Math.min(rehearsal, Math.ceil(ratio * own));
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let k = out.length - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [out[k], out[j]] = [out[j], out[k]];
  }
  return out;
}

/** What a step may add to the batch's likelihood: soft targets of its sentences, the weights to stay near. */
export interface StepExtras {
  targets?: ReadonlyArray<SoftTarget | undefined>;
  /** The task variables' starting values (model.taskVariables' order), pulled toward with strength options.anchor. */
  initial?: tf.Tensor[];
}

/** One optimisation step on one batch; returns the batch's mean loss per sentence (plus the anchor term). */
export function trainStep(
  model: TaggerModel,
  words: string[][],
  tags: Int32Array[],
  options: Pick<FinetuneOptions, 'clipNorm' | 'freezeBilm'> & Partial<Pick<FinetuneOptions, 'anchor'>>,
  taskOptimizer: tf.Optimizer,
  bilmOptimizer: tf.Optimizer | undefined,
  cachedRepresentations?: () => Representations,
  extras: StepExtras = {},
): number {
  return tf.tidy(() => {
    const taskVars = model.taskVariables;
    const bilmVars = options.freezeBilm ? [] : model.bilm.variables;
    // A frozen BiLM runs outside the gradient tape: no backward pass and no saved activations for it.
    const frozenReps = options.freezeBilm ? (cachedRepresentations?.() ?? model.represent(words, false)) : undefined;
    const { value, grads } = tf.variableGrads(() => {
      const reps = frozenReps ?? model.represent(words, true);
      const loss = model.loss(words, tags, reps, true, extras.targets);
      const { initial } = extras;
      if (!initial || !options.anchor) return loss;
      return tf.add(loss, tf.mul(options.anchor / 2, anchorDistance(taskVars, initial))) as tf.Scalar;
    }, [...taskVars, ...bilmVars]);
    const clipped = clipByGlobalNorm(grads, options.clipNorm);
    taskOptimizer.applyGradients(pick(clipped, taskVars));
    if (bilmOptimizer && bilmVars.length) {
      bilmOptimizer.applyGradients(pick(clipped, bilmVars));
      model.bilmWeightsChanged();
    }
    return value.dataSync()[0];
  });
}

/** The squared L2 distance of the variables from their starting values (scalar). */
export function anchorDistance(variables: tf.Variable[], initial: tf.Tensor[]): tf.Scalar {
  return tf.addN(variables.map((v, k) => tf.sum(tf.squaredDifference(v, initial[k])))) as tf.Scalar;
}

/** Scales all gradients by min(1, maxNorm / globalNorm). */
function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const tensors = Object.values(grads);
  const norm = Math.sqrt(tensors.reduce((sum, g) => sum + tf.sum(tf.square(g)).dataSync()[0], 0));
  if (!(norm > maxNorm)) return grads;
  const scale = maxNorm / norm;
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
}

function pick(grads: tf.NamedTensorMap, vars: tf.Variable[]): tf.NamedTensorMap {
  return Object.fromEntries(vars.filter((v) => grads[v.name]).map((v) => [v.name, grads[v.name]]));
}

function cloneWeights(model: TaggerModel): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(model.getWeights()).map(([k, v]) => [k, tf.clone(v)]));
}

/** Adam reads its learning rate at every step; tfjs has no public setter. */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * The learning rate of a 1-based epoch when there is no dev set to decide when to decay it (training on train + dev
 * for a number of epochs found with a dev set before): lr at the first epoch, minLr at the last, a cosine between.
 */
export function cosineLearningRate(options: Pick<FinetuneOptions, 'lr' | 'minLr' | 'epochs' | 'scheduleEpochs'>, epoch: number): number {
  const length = options.scheduleEpochs ?? options.epochs;
  if (length <= 1) return options.lr;
  const progress = Math.min(1, (epoch - 1) / (length - 1));
  return options.minLr + (options.lr - options.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
