// The bidirectional language model (ELMo, Peters et al. 2018): a shared char-CNN/highway token encoder, then a
// forward and a backward stack of projected LSTMs with residual connections between layers.
// layers() returns L+1 tensors [B, T, 2P]: the token representation duplicated, then [forward; backward] per layer.
import * as tf from '@tensorflow/tfjs-core';
import type { RepresentationConfig } from './config';
import { Lstm } from './lstm';
import { ParamStore } from './params';
import { makeWordBatch, TokenEncoder, type WordBatch } from './tokenEncoder';
import type { CharVocab } from './vocab';

export interface BiLMOutput {
  /** L+1 tensors [B, T, 2P]. */
  layers: tf.Tensor3D[];
  /** [B, T], 1 = token, 0 = padding. */
  mask: tf.Tensor2D;
}

export class BiLM {
  readonly params = new ParamStore();
  readonly encoder: TokenEncoder;
  readonly forward: Lstm[] = [];
  readonly backward: Lstm[] = [];

  constructor(readonly config: RepresentationConfig, readonly charVocab: CharVocab, name = 'bilm') {
    this.encoder = new TokenEncoder(`${name}/token`, config, charVocab);
    this.params.include(this.encoder.params);
    const P = config.projectionDim;
    for (let l = 0; l < config.lstm.layers; l++) {
      for (const [dir, list] of [['forward', this.forward], ['backward', this.backward]] as const) {
        const lstm = new Lstm(`${name}/${dir}/layer${l}`, {
          inputSize: P,
          hiddenSize: config.lstm.hidden,
          projectionSize: P,
          cellClip: config.lstm.cellClip,
          projClip: config.lstm.projClip,
        });
        list.push(lstm);
        this.params.include(lstm.params);
      }
    }
  }

  /** Number of representation layers (L+1). */
  get numLayers(): number {
    return this.config.lstm.layers + 1;
  }

  /** Output size per layer (2P). */
  get outputDim(): number {
    return 2 * this.config.projectionDim;
  }

  get variables(): tf.Variable[] {
    return this.params.variables;
  }

  getWeights(): Record<string, tf.Tensor> {
    return this.params.getWeights();
  }

  setWeights(weights: Record<string, tf.Tensor>, source?: string): void {
    this.params.setWeights(weights, source);
    this.encoder.clearCache();
  }

  /** L+1 layers [B, T, 2P]; `training` applies dropout and bypasses the token cache. */
  layers(batch: { words: string[][] }, training: boolean): tf.Tensor3D[] {
    return this.run(makeWordBatch(batch.words), training).layers;
  }

  /** The mask [B, T] of a batch (1 = token, 0 = padding). */
  mask(batch: { words: string[][] }): tf.Tensor2D {
    const wb = makeWordBatch(batch.words);
    return tf.tensor2d(wb.mask, [wb.B, wb.T]);
  }

  /** Layers and mask together. */
  apply(batch: { words: string[][] }, training: boolean): BiLMOutput {
    return this.run(makeWordBatch(batch.words), training);
  }

  /**
   * The full pass on a prepared batch: the layers, plus the top forward and backward outputs [B, T, P] (before the
   * LM softmax) for pre-training.
   */
  run(batch: WordBatch, training: boolean): BiLMOutput & { topForward: tf.Tensor3D; topBackward: tf.Tensor3D } {
    const dropout = training ? this.config.lstm.dropout : 0;
    const drop = <T extends tf.Tensor>(x: T): T => (dropout > 0 ? (tf.dropout(x, dropout) as T) : x);
    return tf.tidy(() => {
      const mask = tf.tensor2d(batch.mask, [batch.B, batch.T]);
      const tokens = this.encoder.encode(batch, training); // [B, T, P]
      const layers: tf.Tensor3D[] = [tf.concat([tokens, tokens], 2)];
      let fwd = tokens;
      let bwd = tokens;
      for (let l = 0; l < this.config.lstm.layers; l++) {
        const f = this.forward[l].apply(drop(fwd), mask, false);
        const b = this.backward[l].apply(drop(bwd), mask, true);
        // Residual connection between layers (not into the first layer, whose input is the token representation).
        fwd = l === 0 ? f : tf.add(f, fwd);
        bwd = l === 0 ? b : tf.add(b, bwd);
        layers.push(tf.concat([fwd, bwd], 2));
      }
      return { layers, mask, topForward: drop(fwd), topBackward: drop(bwd) };
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
