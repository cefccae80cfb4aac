// The language model pre-training optimises (the BiLM plus one softmax per direction) and one optimisation step of it.
// Used by pretrain.ts (one thread) and by each replica of pretrainWorker.ts (data-parallel training, dataParallel.ts).
import * as tf from '@tensorflow/tfjs-core';
import { BiLM } from '../model/bilm';
import { bucketBatches } from '../model/batching';
import type { RepresentationConfig } from '../model/config';
import { gatherPositions, lmTargets, LmSoftmax } from '../model/lmSoftmax';
import { makeWordBatch } from '../model/tokenEncoder';
import type { CharVocab, WordVocab } from '../model/vocab';

/** The LM: the BiLM plus one softmax per direction. */
export class LanguageModel {
  readonly bilm: BiLM;
  readonly forwardSoftmax: LmSoftmax;
  readonly backwardSoftmax: LmSoftmax;

  constructor(config: RepresentationConfig, chars: CharVocab, readonly words: WordVocab, random?: () => number) {
    this.bilm = new BiLM(config, chars);
    this.forwardSoftmax = new LmSoftmax('lm/forward_softmax', words.size, config.projectionDim, random);
    this.backwardSoftmax = new LmSoftmax('lm/backward_softmax', words.size, config.projectionDim, random);
    this.bilm.params.include(this.forwardSoftmax.params);
    this.bilm.params.include(this.backwardSoftmax.params);
  }

  /** Mean of the forward and backward sampled-softmax losses of a batch (training mode: dropout on). */
  trainingLoss(sentences: string[][]): tf.Scalar {
    const batch = makeWordBatch(sentences);
    const targets = lmTargets(sentences, this.words);
    const negatives = this.bilm.config.softmax.negatives;
    const full = this.bilm.config.softmax.kind === 'full';
    return tf.tidy(() => {
      const out = this.bilm.run(batch, true, false);
      const hf = gatherPositions(out.topForward, targets.positions);
      const hb = gatherPositions(out.topBackward, targets.positions);
      const lf = full ? this.forwardSoftmax.fullLoss(hf, targets.next) : this.forwardSoftmax.sampledLoss(hf, targets.next, negatives);
      const lb = full ? this.backwardSoftmax.fullLoss(hb, targets.previous) : this.backwardSoftmax.sampledLoss(hb, targets.previous, negatives);
      return tf.mul(tf.add(lf, lb), 0.5) as tf.Scalar;
    });
  }

  /** Exact held-out perplexity (full softmax), averaged over both directions in log space. */
  perplexity(sentences: string[][], batchTokens: number): { forward: number; backward: number; mean: number } {
    this.bilm.encoder.clearCache();
    let nllF = 0;
    let nllB = 0;
    let n = 0;
    for (const idx of bucketBatches(sentences.map((s) => s.length), { maxTokens: batchTokens })) {
      const ss = idx.map((i) => sentences[i]);
      const batch = makeWordBatch(ss);
      const targets = lmTargets(ss, this.words);
      tf.tidy(() => {
        const out = this.bilm.run(batch, false, false);
        nllF += this.forwardSoftmax.evalNll(gatherPositions(out.topForward, targets.positions), targets.next);
        nllB += this.backwardSoftmax.evalNll(gatherPositions(out.topBackward, targets.positions), targets.previous);
      });
      n += targets.positions.length;
    }
    this.bilm.encoder.clearCache();
    const forward = Math.exp(nllF / Math.max(1, n));
    const backward = Math.exp(nllB / Math.max(1, n));
    return { forward, backward, mean: Math.exp((nllF + nllB) / 2 / Math.max(1, n)) };
  }

  dispose(): void {
    this.bilm.dispose();
  }
}

/** One optimisation step: gradients, global-norm clipping, Adam update. Returns the loss. */
export function trainStep(lm: LanguageModel, optimizer: tf.Optimizer, sentences: string[][], clipNorm: number): number {
  const vars = lm.bilm.params.variables;
  const { value, grads } = tf.variableGrads(() => lm.trainingLoss(sentences), vars);
  const loss = value.dataSync()[0];
  value.dispose();
  tf.tidy(() => {
    // Gradients in parameter order (the optimizer keeps its moments by position, see saveCheckpoint).
    const list = vars.map((v) => grads[v.name]);
    const norm = Math.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))).dataSync()[0]);
    const scale = Number.isFinite(norm) && norm > clipNorm ? clipNorm / norm : 1;
    const named = vars.map((v, i) => ({ name: v.name, tensor: scale === 1 ? list[i] : tf.mul(list[i], scale) }));
    optimizer.applyGradients(named);
  });
  Object.values(grads).forEach((g) => g.dispose());
  return loss;
}
