// BiLM language-model pre-training: Adam with global-norm gradient clipping and dropout, length-bucketed batches,
// sampled softmax for training and the full softmax for held-out perplexity, atomic checkpoints (model + optimizer +
// position) every few minutes and at the end, resume from the latest checkpoint, and a clean stop at --max-minutes.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { readJsonFileSync } from '../formats/boundedRead';
import { engineInfo } from '../engine/backend';
import { BILM_KIND, writeBiLMConfig } from '../model/bilmDirectory';
import { bucketBatches, seededRandom } from '../model/batching';
import type { RepresentationConfig } from '../model/config';
import { CHARS_FILE, loadVocabs, WORDS_FILE } from '../model/vocab';
import { loadWeights, saveWeights, weightsExist } from '../model/weightsIO';
import { DataParallel } from './dataParallel';
import { LanguageModel, trainStep } from './languageModel';

export interface PretrainOptions {
  train: string[][];
  heldout: string[][];
  vocabDir: string;
  config: RepresentationConfig;
  outDir: string;
  epochs: number;
  batchTokens: number;
  lr: number;
  clipNorm: number;
  maxMinutes?: number;
  checkpointEveryMinutes: number;
  resume: boolean;
  seed: number;
  /** Data-parallel replicas in all (1: the main thread only; n: n - 1 worker threads too). */
  threads?: number;
  /** Stops cleanly (with a checkpoint and the output model) like --max-minutes, e.g. on Ctrl-C. */
  signal?: AbortSignal;
  /** Provenance recorded in config.json. */
  provenance: Record<string, unknown>;
}

export interface PretrainProgress {
  event: 'start' | 'step' | 'epoch' | 'checkpoint' | 'done';
  epoch: number;
  step: number;
  batch: number;
  batches: number;
  tokens: number;
  tokensPerSecond: number;
  loss?: number;
  etaSeconds?: number;
  heldoutPerplexity?: number;
  message?: string;
}

export interface PretrainResult {
  steps: number;
  tokens: number;
  finalLoss: number;
  perplexities: number[];
  stoppedEarly: boolean;
}

interface CheckpointState {
  epoch: number;
  /** Batches of `epoch` already trained. */
  batchInEpoch: number;
  step: number;
  tokens: number;
  perplexities: number[];
  seed: number;
}

const CHECKPOINT = 'checkpoint';

/** Runs (or resumes) pre-training; writes the model directory `outDir`. */
export async function pretrain(options: PretrainOptions, report: (p: PretrainProgress) => void): Promise<PretrainResult> {
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const { words, chars } = loadVocabs(options.vocabDir);
  const random = seededRandom(options.seed);
  const lm = new LanguageModel(options.config, chars, words, random);
  const optimizer = tf.train.adam(options.lr);
  let state: CheckpointState = { epoch: 0, batchInEpoch: 0, step: 0, tokens: 0, perplexities: [], seed: options.seed };
  let parallel: DataParallel | undefined;
  try {
    if (options.resume) {
      const restored = await loadCheckpoint(outDir, lm, optimizer);
      if (restored) state = restored;
    }
    if ((options.threads ?? 1) > 1) {
      const init = { config: options.config, vocabDir: options.vocabDir, seed: options.seed, backend: engineInfo()?.backend };
      parallel = await DataParallel.start((options.threads ?? 1) - 1, init, lm);
    }
    return await trainLoop(options, lm, optimizer, state, parallel, report);
  } finally {
    await parallel?.stop();
    optimizer.dispose();
    lm.dispose();
  }
}

async function trainLoop(
  options: PretrainOptions,
  lm: LanguageModel,
  optimizer: tf.Optimizer,
  state: CheckpointState,
  parallel: DataParallel | undefined,
  report: (p: PretrainProgress) => void,
): Promise<PretrainResult> {
  const outDir = resolve(options.outDir);
  const { words, chars } = { words: lm.words, chars: lm.bilm.charVocab };
  // Vocabularies travel with the model.
  for (const f of [WORDS_FILE, CHARS_FILE]) {
    if (resolve(options.vocabDir, f) !== join(outDir, f)) copyFileSync(join(options.vocabDir, f), join(outDir, f));
  }
  const started = Date.now();
  const deadline = options.maxMinutes !== undefined ? started + options.maxMinutes * 60_000 : Infinity;
  let lastCheckpoint = Date.now();
  let stoppedEarly = false;
  let lossAvg = NaN;
  const lengths = options.train.map((s) => s.length);
  const tokensPerEpoch = lengths.reduce((a, b) => a + b, 0);
  let sessionTokens = 0;
  report({ event: 'start', epoch: state.epoch, step: state.step, batch: state.batchInEpoch, batches: 0, tokens: state.tokens, tokensPerSecond: 0 });

  let batchesInEpoch = 1;
  const writeConfig = (stopPerplexity?: number) =>
    writeBiLMConfig(outDir, {
      kind: BILM_KIND,
      representation: options.config,
      vocab: { words: words.size, chars: chars.size },
      provenance: {
        ...options.provenance,
        steps: state.step,
        tokens: state.tokens,
        epochs: Math.round((state.epoch + state.batchInEpoch / Math.max(1, batchesInEpoch)) * 1000) / 1000,
        heldoutPerplexity: state.perplexities,
        ...(stopPerplexity !== undefined ? { heldoutPerplexityAtStop: stopPerplexity } : {}),
        savedAt: new Date().toISOString(),
      },
    });
  const writeOutputs = async () => {
    await saveCheckpoint(outDir, lm, optimizer, state);
    await saveWeights(outDir, lm.bilm.getWeights());
    writeConfig();
  };

  outer: while (state.epoch < options.epochs) {
    const batches = bucketBatches(lengths, { maxTokens: options.batchTokens, shuffle: true, random: seededRandom(options.seed + 1000 * state.epoch) });
    batchesInEpoch = batches.length;
    for (let b = state.batchInEpoch; b < batches.length; b++) {
      if (Date.now() >= deadline || options.signal?.aborted) {
        stoppedEarly = true;
        break outer;
      }
      const sentences = batches[b].map((i) => options.train[i]);
      const loss = parallel
        ? await parallel.step(lm, optimizer, sentences, options.clipNorm)
        : trainStep(lm, optimizer, sentences, options.clipNorm);
      if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at step ${state.step}; try a lower --lr`);
      const n = sentences.reduce((s, w) => s + w.length, 0);
      state.step++;
      state.tokens += n;
      state.batchInEpoch = b + 1;
      sessionTokens += n;
      lossAvg = Number.isNaN(lossAvg) ? loss : 0.98 * lossAvg + 0.02 * loss;
      const seconds = (Date.now() - started) / 1000;
      const tps = sessionTokens / Math.max(seconds, 1e-3);
      const remainingTokens = (options.epochs - state.epoch) * tokensPerEpoch - (tokensPerEpoch * (b + 1)) / batches.length;
      const eta = Math.min(remainingTokens / Math.max(tps, 1e-9), (deadline - Date.now()) / 1000);
      report({ event: 'step', epoch: state.epoch, step: state.step, batch: b + 1, batches: batches.length, tokens: state.tokens, tokensPerSecond: tps, loss: lossAvg, etaSeconds: eta });
      if (Date.now() - lastCheckpoint >= options.checkpointEveryMinutes * 60_000) {
        await saveCheckpoint(outDir, lm, optimizer, state);
        lastCheckpoint = Date.now();
        report({ event: 'checkpoint', epoch: state.epoch, step: state.step, batch: b + 1, batches: batches.length, tokens: state.tokens, tokensPerSecond: tps, loss: lossAvg });
      }
    }
    const ppl = options.heldout.length ? lm.perplexity(options.heldout, Math.max(2000, options.batchTokens)).mean : NaN;
    state.perplexities.push(ppl);
    state.epoch++;
    state.batchInEpoch = 0;
    report({ event: 'epoch', epoch: state.epoch, step: state.step, batch: 0, batches: 0, tokens: state.tokens, tokensPerSecond: sessionTokens / Math.max((Date.now() - started) / 1000, 1e-3), loss: lossAvg, heldoutPerplexity: ppl });
    await saveCheckpoint(outDir, lm, optimizer, state);
    lastCheckpoint = Date.now();
  }
  // Stopped inside an epoch: say where the model stands (recorded apart from the per-epoch figures).
  // The model folder is written before that evaluation, so nothing is lost if it fails.
  await writeOutputs();
  let stopPerplexity: number | undefined;
  if (stoppedEarly && options.heldout.length && state.batchInEpoch > 0) {
    stopPerplexity = lm.perplexity(options.heldout, Math.max(2000, options.batchTokens)).mean;
    const message = options.signal?.aborted ? 'stopped on request' : 'stopped at --max-minutes';
    report({ event: 'epoch', epoch: state.epoch, step: state.step, batch: state.batchInEpoch, batches: 0, tokens: state.tokens, tokensPerSecond: 0, loss: lossAvg, heldoutPerplexity: stopPerplexity, message });
    writeConfig(stopPerplexity);
  }
  report({ event: 'done', epoch: state.epoch, step: state.step, batch: 0, batches: 0, tokens: state.tokens, tokensPerSecond: sessionTokens / Math.max((Date.now() - started) / 1000, 1e-3), loss: lossAvg });
  const perplexities = stopPerplexity === undefined ? state.perplexities : [...state.perplexities, stopPerplexity];
  return { steps: state.step, tokens: state.tokens, finalLoss: lossAvg, perplexities, stoppedEarly };
}

/**
 * Writes out/checkpoint atomically: everything goes into checkpoint.tmp/, then the old checkpoint is moved aside
 * and the new one renamed into place (a crash in between leaves checkpoint.old, which loadCheckpoint also reads).
 */
async function saveCheckpoint(outDir: string, lm: LanguageModel, optimizer: tf.Optimizer, state: CheckpointState): Promise<void> {
  const tmp = join(outDir, `${CHECKPOINT}.tmp`);
  const final = join(outDir, CHECKPOINT);
  const old = join(outDir, `${CHECKPOINT}.old`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await saveWeights(tmp, lm.bilm.getWeights());
  // Adam's state: [iterations, first moments..., second moments...] in parameter order; saved under parameter names
  // because tfjs's own variable names differ between processes.
  const slots = await optimizer.getWeights();
  const names = lm.bilm.params.names();
  const n = names.length;
  if (slots.length === 2 * n + 1) {
    const named: Record<string, tf.Tensor> = { iterations: slots[0].tensor };
    names.forEach((name, i) => {
      named[`m/${name}`] = slots[1 + i].tensor;
      named[`v/${name}`] = slots[1 + n + i].tensor;
    });
    await saveWeights(tmp, named, 'optimizer');
  }
  slots[0]?.tensor.dispose(); // the iteration count is a fresh scalar
  writeFileAtomicSync(join(tmp, 'state.json'), JSON.stringify(state, null, 1) + '\n');
  rmSync(old, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
}

async function loadCheckpoint(outDir: string, lm: LanguageModel, optimizer: tf.Optimizer): Promise<CheckpointState | undefined> {
  const dir = [join(outDir, CHECKPOINT), join(outDir, `${CHECKPOINT}.old`)].find((d) => existsSync(join(d, 'state.json')));
  if (!dir) return undefined;
  const weights = loadWeights(dir, lm.bilm.params.shapes());
  lm.bilm.setWeights(weights, join(dir, 'weights.json'));
  Object.values(weights).forEach((t) => t.dispose());
  const names = lm.bilm.params.names();
  if (weightsExist(dir, 'optimizer')) {
    const expected: Record<string, number[]> = {};
    const shapes = lm.bilm.params.shapes();
    for (const name of names) {
      expected[`m/${name}`] = shapes[name];
      expected[`v/${name}`] = shapes[name];
    }
    const saved = loadWeights(dir, expected, 'optimizer');
    const slots = [
      { name: 'iter', tensor: saved.iterations },
      ...names.map((name) => ({ name: `${name}/m`, tensor: saved[`m/${name}`] })),
      ...names.map((name) => ({ name: `${name}/v`, tensor: saved[`v/${name}`] })),
    ];
    await optimizer.setWeights(slots);
    Object.values(saved).forEach((t) => t.dispose());
  }
  return readJsonFileSync(join(dir, 'state.json')) as CheckpointState;
}
