// Micro benchmark of the representation (run by `npm run bench`, or alone: `npx tsx bench/model-bilm.ts`):
// BiLM forward tokens/s (tagging path: layers(), cached token vectors) on 1 thread and on one worker thread per
// core at once (as bulk tagging runs), and LM training tokens/s on 1 thread (forward + backward + Adam, sampled
// softmax) for the reference and the small config, with FLOPs per token and the
// measured matMul GFLOP/s of 1 thread in the same process, so a busy machine shows as a low matMul figure too.
// Env: BIONER_DATA (default ../shared/data), BENCH_CONFIGS (default "reference,small"; also "small-full"),
// BENCH_SECONDS (time box per measurement, default 12), BENCH_BATCH_TOKENS (default 2000), BENCH_BACKEND.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { initEngine, type BackendName } from '../server/src/engine/backend';
import { forwardFlopsPerToken, NAMED_CONFIGS } from '../server/src/model/config';
import { CharVocab, VocabCounter, WordVocab } from '../server/src/model/vocab';
import { bucketBatches } from '../server/src/model/batching';
import { LanguageModel, trainStep } from '../server/src/train/languageModel';
import { tokenize } from '../server/src/text/tokenizer';

interface Metric { metric: string; value: number; unit: string; target?: string; note?: string }

/** The best of a few square products (as bench/matmulPeak.ts), GFLOP/s of one thread. */
function matMulGflops(): number {
  let best = 0;
  for (const n of [512, 1024]) {
    const a = tf.randomNormal([n, n]);
    const b = tf.randomNormal([n, n]);
    tf.matMul(a, b).dispose();
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      best = Math.max(best, (2 * n ** 3) / ((performance.now() - t) / 1000) / 1e9);
      c.dispose();
    }
    tf.dispose([a, b]);
  }
  return best;
}

function sentences(): string[][] {
  const dataDir = resolve(__dirname, '..', process.env.BIONER_DATA ?? join('..', 'shared', 'data'));
  const lines = readFileSync(join(dataDir, 'pubmed-text', 'genia-jnlpba.txt'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, 1200);
  return lines.flatMap((l) => tokenize(l).map((s) => s.tokens.map((t) => t.text))).filter((s) => s.length > 0 && s.length <= 60);
}

/** The bench's data, vocabularies and time box (the same in every thread). */
function setup() {
  const data = sentences();
  const counter = new VocabCounter();
  data.forEach((s) => counter.add(s));
  // The softmax cost depends on the vocabulary size: pad to the shipped 20K words with synthetic entries.
  const dataWords = WordVocab.build(counter.words, 20000, 1).words;
  const words = new WordVocab([...dataWords, ...Array.from({ length: 20003 - dataWords.length }, (_, i) => `<w${i}>`)]);
  const chars = CharVocab.build(counter.chars, 1);
  const batchTokens = Number(process.env.BENCH_BATCH_TOKENS ?? 2000);
  const batches = bucketBatches(data.map((s) => s.length), { maxTokens: batchTokens }).map((b) => b.map((i) => data[i]));
  // Time box per measurement (run.mjs gives each bench script 120 s in all).
  const seconds = Number(process.env.BENCH_SECONDS ?? 12);
  return { words, chars, batches, batchTokens, seconds };
}

function configOf(name: string) {
  const config = structuredClone(NAMED_CONFIGS[name.replace(/-full$/, '')]);
  if (name.endsWith('-full')) config.softmax.kind = 'full';
  return config;
}

/** Forward (tagging path) tokens/s: all layers, token cache on (cleared first, so the figure includes filling it). */
function forwardRate(lm: LanguageModel, batches: string[][][], seconds: number): number {
  lm.bilm.encoder.clearCache();
  let tokens = 0;
  const t0 = performance.now();
  for (const batch of batches) {
    if (performance.now() - t0 > seconds * 1000) break;
    const layers = lm.bilm.layers({ words: batch }, false);
    layers[layers.length - 1].dataSync();
    layers.forEach((l) => l.dispose());
    tokens += batch.reduce((s, w) => s + w.length, 0);
  }
  return tokens / ((performance.now() - t0) / 1000);
}

/** Runs forwardRate in `count` worker threads at once; their summed tokens/s. */
async function parallelForwardRate(name: string, count: number): Promise<number> {
  const rates = await Promise.all(
    Array.from({ length: count }, () => new Promise<number>((resolveRate, reject) => {
      // This file is TypeScript: the worker registers tsx before loading it.
      const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: { name } });
      worker.once('message', (rate: number) => resolveRate(rate));
      worker.once('error', reject);
    })),
  );
  return rates.reduce((a, b) => a + b, 0);
}

async function workerMain(): Promise<void> {
  await initEngine({ backend: process.env.BENCH_BACKEND as BackendName | undefined }); // BLAS: 1 thread in a worker
  const { words, chars, batches, seconds } = setup();
  const lm = new LanguageModel(configOf(workerData.name), chars, words);
  parentPort!.postMessage(forwardRate(lm, batches, seconds));
  lm.dispose();
}

async function main(): Promise<void> {
  const engine = await initEngine({ backend: process.env.BENCH_BACKEND as BackendName | undefined }); // 1 BLAS thread
  const cores = availableParallelism();
  const matMulName = engine.blas ? 'BLAS' : engine.backend;
  const { words, chars, batches, batchTokens, seconds } = setup();
  const metrics: Metric[] = [];
  const gflops = matMulGflops();
  metrics.push({ metric: `matMul ${matMulName} 1 thread`, value: round(gflops), unit: 'GFLOP/s', note: 'best of [512]^2 and [1024]^2 products, same process' });
  // "small-full" (not in the default list: slow): the small config trained with the exact softmax.
  for (const name of (process.env.BENCH_CONFIGS ?? 'reference,small').split(',')) {
    const config = configOf(name);
    const flops = forwardFlopsPerToken(config);
    const lm = new LanguageModel(config, chars, words);
    const baseline = tf.memory().numTensors;
    if (!name.endsWith('-full')) {
      const forwardTps = forwardRate(lm, batches, seconds);
      metrics.push({
        metric: `BiLM forward (${name}, ~${(flops / 1e6).toFixed(1)} MFLOP/token)`,
        value: Math.round(forwardTps),
        unit: 'tokens/s',
        // The FLOPs counted include the char-CNN + highway, which the word cache runs once per word type.
        note: `1 thread; counted FLOPs at ${(((forwardTps * flops) / 1e9 / gflops) * 100).toFixed(0)}% of matMul peak (the word cache skips most char-CNN work)`,
      });
      if (cores > 1) {
        const parallelTps = await parallelForwardRate(name, cores);
        metrics.push({
          metric: `BiLM forward (${name}), ${cores} worker threads`,
          value: Math.round(parallelTps),
          unit: 'tokens/s',
          ...(name === 'reference' ? { target: '>= 4000' } : {}),
          note: `one per core, at once; counted FLOPs at ${(((parallelTps * flops) / 1e9 / (cores * gflops)) * 100).toFixed(0)}% of ${cores} x matMul peak`,
        });
      }
    }
    // Training: forward + backward + Adam on the LM objective (first step excluded: warm-up), 1 thread; run.mjs
    // measures `bioner pretrain --threads <cores>` (data-parallel) for the figure on every core.
    const optimizer = tf.train.adam(0.001);
    trainStep(lm, optimizer, batches[0], 5);
    let tokens = 0;
    const t0 = performance.now();
    for (const batch of batches.slice(1)) {
      if (performance.now() - t0 > seconds * 1000) break;
      trainStep(lm, optimizer, batch, 5);
      tokens += batch.reduce((s, w) => s + w.length, 0);
    }
    const trainTps = tokens / ((performance.now() - t0) / 1000);
    metrics.push({
      metric: `BiLM LM training (${name}), 1 thread`,
      value: Math.round(trainTps),
      unit: 'tokens/s',
      note: `batches of ${batchTokens} tokens, ${config.softmax.kind === 'full' ? 'full softmax' : `sampled softmax, ${config.softmax.negatives} negatives`} over ${words.size} words; ${(((trainTps * 3 * flops) / 1e9 / gflops) * 100).toFixed(0)}% of matMul peak at 3x forward FLOPs`,
    });
    optimizer.dispose();
    lm.dispose();
    const leaked = tf.memory().numTensors - baseline;
    if (leaked > 0) process.stderr.write(`warning: ${leaked} tensors not freed (${name})\n`);
  }
  process.stdout.write(JSON.stringify({ metrics }) + '\n');
  for (const m of metrics) process.stderr.write(`${m.metric}: ${m.value} ${m.unit}${m.note ? ` (${m.note})` : ''}\n`);
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

(isMainThread ? main() : workerMain()).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
