// Tagger training and tagging speed on BC5CDR sentences: time per trainStep / predict batch, split into the
// BiLM, the task layers and the CRF, for a frozen BiLM (the default). Usage:
//   npx tsx bench/tagger-train.ts [representation=small] [batchTokens=1024] [hidden=128]
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../server/src/engine/backend';
import { BiLM } from '../server/src/model/bilm';
import { NAMED_CONFIGS } from '../server/src/model/config';
import { TagSet } from '../server/src/model/labels';
import { TaggerModel, taggerConfig } from '../server/src/model/tagger';
import { CharVocab, VocabCounter } from '../server/src/model/vocab';
import { bucketBatches } from '../server/src/model/batching';
import { trainStep } from '../server/src/train/finetune';
import { decodeSentence } from '../server/src/model/decode';
import { readLabelledData } from '../server/src/train/trainingData';

async function main(): Promise<void> {
  const [rep = 'small', batchTokensArg = '1024', hiddenArg = '128'] = process.argv.slice(2);
  const engine = await initEngine();
  const data = readLabelledData(`${process.env.BIONER_DATA ?? '../shared/data'}/bc5cdr/devel.tsv`).sentences.slice(0, 600);
  const counter = new VocabCounter();
  for (const s of data) counter.add(s.tokens);
  const model = new TaggerModel(
    new BiLM(NAMED_CONFIGS[rep], CharVocab.build(counter.chars, 1)),
    TagSet.fromSentences(data),
    taggerConfig({ encoder: { hiddenSize: Number(hiddenArg) } }),
  );
  const batches = bucketBatches(data.map((s) => s.tokens.length), { maxTokens: Number(batchTokensArg) });
  const optimizer = tf.train.adam(1e-3);
  const time = (f: () => void) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  let tokens = 0;
  const totals = { bilm: 0, task: 0, crf: 0, step: 0, predict: 0 };
  for (const batch of batches) {
    const words = batch.map((i) => data[i].tokens);
    const tags = batch.map((i) => model.tagSet.encode(data[i].tags));
    tokens += words.reduce((n, s) => n + s.length, 0);
    totals.step += time(() => trainStep(model, words, tags, { clipNorm: 5, freezeBilm: true }, optimizer, undefined));
    totals.bilm += time(() => tf.tidy(() => model.represent(words, false).layers[0].dataSync()));
    tf.tidy(() => {
      const reps = model.represent(words, false);
      let em!: tf.Tensor3D;
      totals.task += time(() => (em = model.emissions(words, reps, false)).dataSync());
      const data = em.dataSync();
      totals.crf += time(() => model.crf.scores() && data.length);
    });
    totals.predict += time(() => model.predict(words));
  }
  // CRF inference in plain JS (Viterbi + forward-backward + span probabilities) on one data() of the emissions,
  // against the floor of a tfjs version: one small tf op per time step and tag-pair reduction (~4 ops per step).
  let decodeMs = 0;
  let maxLengthSum = 0;
  for (const batch of batches) {
    const words = batch.map((i) => data[i].tokens);
    const em = tf.tidy(() => model.emissions(words, model.represent(words, false), false));
    const values = em.dataSync();
    const [, T, L] = em.shape;
    maxLengthSum += T;
    em.dispose();
    const scores = model.crf.scores();
    decodeMs += time(() => words.forEach((w, b) => decodeSentence({ data: values, offset: b * T * L, length: w.length }, scores, model.tagSet)));
  }
  const a = tf.zeros([32, 5, 5]);
  const opMs = time(() => {
    for (let k = 0; k < 1000; k++) tf.tidy(() => tf.max(tf.add(a, a), 1).dataSync());
  }) / 1000;
  a.dispose();
  const perSecond = (ms: number) => Math.round(tokens / (ms / 1000));
  console.log(
    JSON.stringify({
      backend: engine.backend,
      representation: rep,
      batchTokens: Number(batchTokensArg),
      hidden: Number(hiddenArg),
      batches: batches.length,
      tokens,
      trainTokensPerSecond: perSecond(totals.step),
      predictTokensPerSecond: perSecond(totals.predict),
      bilmForwardTokensPerSecond: perSecond(totals.bilm),
      taskForwardTokensPerSecond: perSecond(totals.task),
      crfDecodeJsTokensPerSecond: perSecond(decodeMs),
      // A batched tfjs Viterbi alone needs ~3 ops (add, max, argMax) per time step of each batch: its best case
      // at the measured small-op latency (no forward-backward, no span probabilities).
      crfTfjsViterbiFloorTokensPerSecond: perSecond(3 * maxLengthSum * opMs),
      tfjsSmallOpMicroseconds: Math.round(opMs * 1000),
    }),
  );
}

void main();
