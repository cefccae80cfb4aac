// Micro benchmark of the representation (run by `npm run bench`, or alone: `npx tsx bench/model-bilm.ts`):
// BiLM forward tokens/s (tagging path: layers(), cached token vectors) and LM training tokens/s (forward + backward
// + Adam, sampled softmax) for the reference and the small config, with FLOPs per token and the backend's measured
// matMul GFLOP/s in the same process, so a busy machine shows as a low matMul figure too.
// Env: BIONER_DATA (default ../shared/data), BENCH_CONFIGS (default "reference,small"; also "small-full"),
// BENCH_SECONDS (time box per measurement, default 12), BENCH_BATCH_TOKENS (default 2000), BENCH_BACKEND.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initEngine, type BackendName } from '../server/src/engine/backend';
import { forwardFlopsPerToken, NAMED_CONFIGS } from '../server/src/model/config';
import { CharVocab, VocabCounter, WordVocab } from '../server/src/model/vocab';
import { bucketBatches } from '../server/src/model/batching';
import { LanguageModel, trainStep } from '../server/src/train/pretrain';
import { tokenize } from '../server/src/text/tokenizer';

interface Metric { metric: string; value: number; unit: string; target?: string; note?: string }

function matMulGflops(): number {
  const a = tf.randomNormal([2048, 256]);
  const b = tf.randomNormal([256, 2048]);
  tf.matMul(a, b).dispose();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    best = Math.min(best, performance.now() - t);
    c.dispose();
  }
  a.dispose();
  b.dispose();
  return (2 * 2048 * 256 * 2048) / (best / 1000) / 1e9;
}

function sentences(): string[][] {
  const dataDir = resolve(__dirname, '..', process.env.BIONER_DATA ?? join('..', 'shared', 'data'));
  const lines = readFileSync(join(dataDir, 'pubmed-text', 'genia-jnlpba.txt'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, 1200);
  return lines.flatMap((l) => tokenize(l).map((s) => s.tokens.map((t) => t.text))).filter((s) => s.length > 0 && s.length <= 60);
}

async function main(): Promise<void> {
  const engine = await initEngine({ backend: process.env.BENCH_BACKEND as BackendName | undefined });
  const data = sentences();
  const counter = new VocabCounter();
  data.forEach((s) => counter.add(s));
  // The softmax cost depends on the vocabulary size: pad to the shipped 20K words with synthetic entries.
  const dataWords = WordVocab.build(counter.words, 20000, 1).words;
  const words = new WordVocab([...dataWords, ...Array.from({ length: 20003 - dataWords.length }, (_, i) => `<w${i}>`)]);
  const chars = CharVocab.build(counter.chars, 1);
  const metrics: Metric[] = [];
  // Time box per measurement (run.mjs gives each bench script 120 s in all).
  const seconds = Number(process.env.BENCH_SECONDS ?? 12);
  const gflops = matMulGflops();
  metrics.push({ metric: `matMul ${engine.backend} 1 thread`, value: round(gflops), unit: 'GFLOP/s', note: '[2048,256]x[256,2048], same process' });
  // "small-full" (not in the default list: slow): the small config trained with the exact softmax.
  for (const name of (process.env.BENCH_CONFIGS ?? 'reference,small').split(',')) {
    const config = structuredClone(NAMED_CONFIGS[name.replace(/-full$/, '')]);
    if (name.endsWith('-full')) config.softmax.kind = 'full';
    const flops = forwardFlopsPerToken(config);
    const lm = new LanguageModel(config, chars, words);
    const batchTokens = Number(process.env.BENCH_BATCH_TOKENS ?? 2000);
    const batches = bucketBatches(data.map((s) => s.length), { maxTokens: batchTokens }).map((b) => b.map((i) => data[i]));
    const baseline = tf.memory().numTensors;
    // Forward (tagging path): all layers, token cache on (cleared first, so the figure includes filling it).
    lm.bilm.encoder.clearCache();
    let tokens = 0;
    let t0 = performance.now();
    for (const batch of name.endsWith('-full') ? [] : batches) {
      if (performance.now() - t0 > seconds * 1000) break;
      const layers = lm.bilm.layers({ words: batch }, false);
      layers[layers.length - 1].dataSync();
      layers.forEach((l) => l.dispose());
      tokens += batch.reduce((s, w) => s + w.length, 0);
    }
    const forwardTps = tokens / ((performance.now() - t0) / 1000);
    if (tokens) metrics.push({
      metric: `BiLM forward (${name}, ~${(flops / 1e6).toFixed(1)} MFLOP/token)`,
      value: Math.round(forwardTps),
      unit: 'tokens/s',
      note: `1 thread; ${(((forwardTps * flops) / 1e9 / gflops) * 100).toFixed(0)}% of matMul peak`,
    });
    // Training: forward + backward + Adam on the LM objective (first step excluded: warm-up).
    const optimizer = tf.train.adam(0.001);
    trainStep(lm, optimizer, batches[0], 5);
    tokens = 0;
    t0 = performance.now();
    for (const batch of batches.slice(1)) {
      if (performance.now() - t0 > seconds * 1000) break;
      trainStep(lm, optimizer, batch, 5);
      tokens += batch.reduce((s, w) => s + w.length, 0);
    }
    const trainTps = tokens / ((performance.now() - t0) / 1000);
    metrics.push({
      metric: `BiLM LM training (${name})`,
      value: Math.round(trainTps),
      unit: 'tokens/s',
      note: `1 thread, batches of ${batchTokens} tokens, ${config.softmax.kind === 'full' ? 'full softmax' : `sampled softmax, ${config.softmax.negatives} negatives`} over ${words.size} words; ${(((trainTps * 3 * flops) / 1e9 / gflops) * 100).toFixed(0)}% of matMul peak at 3x forward FLOPs`,
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

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
