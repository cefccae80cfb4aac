// The bidirectional language model (ELMo, Peters et al. 2018): a shared char-CNN/highway token encoder, then a
// forward and a backward stack of projected LSTMs with residual connections between layers.
// layers() returns L+1 tensors [B, T, 2P]: the token representation duplicated, then [forward; backward] per layer.
import * as tf from '@tensorflow/tfjs-core';
import type { RepresentationConfig } from './config';
import { fromTimeMajor, Lstm } from './lstm';
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
    const wb = makeWordBatch(batch.words);
    return tf.tidy(() => {
      const out = this.run(wb, training, true);
      return out.layers;
    });
  }

  /** The mask [B, T] of a batch (1 = token, 0 = padding). */
  mask(batch: { words: string[][] }): tf.Tensor2D {
    const wb = makeWordBatch(batch.words);
    return tf.tensor2d(wb.mask, [wb.B, wb.T]);
  }

  /** Layers and mask together. */
  apply(batch: { words: string[][] }, training: boolean): BiLMOutput {
    const wb = makeWordBatch(batch.words);
    return tf.tidy(() => {
      const out = this.run(wb, training, true);
      return { layers: out.layers, mask: tf.tensor2d(wb.mask, [wb.B, wb.T]) };
    });
  }

  /**
   * The full pass on a prepared batch. Returns the layers (withLayers, for taggers) or else the top forward and
   * backward outputs as time-major [T*B, P] (row t*B + b) for the LM softmax (pre-training).
   */
  run(batch: WordBatch, training: boolean, withLayers: true): { layers: tf.Tensor3D[] };
  run(batch: WordBatch, training: boolean, withLayers: false): { layers: []; topForward: tf.Tensor2D; topBackward: tf.Tensor2D };
  run(batch: WordBatch, training: boolean, withLayers: boolean): { layers: tf.Tensor3D[]; topForward?: tf.Tensor2D; topBackward?: tf.Tensor2D } {
    const dropout = training ? this.config.lstm.dropout : 0;
    const drop = (x: tf.Tensor2D): tf.Tensor2D => (dropout > 0 ? (tf.dropout(x, dropout) as tf.Tensor2D) : x);
    const { B, mask } = batch;
    return tf.tidy(() => {
      const typeVectors = this.encoder.typeVectors(batch, training); // [U+1, P]
      const tokens = this.encoder.encodeTimeMajor(batch, typeVectors); // [T*B, P]
      const layers: tf.Tensor3D[] = [];
      if (withLayers) {
        const t3 = this.encoder.encode(batch, training, typeVectors);
        layers.push(tf.concat([t3, t3], 2) as tf.Tensor3D);
      }
      let fwd = tokens;
      let bwd = tokens;
      for (let l = 0; l < this.config.lstm.layers; l++) {
        const f = this.forward[l].applyTimeMajor(drop(fwd), mask, B, false, training);
        const b = this.backward[l].applyTimeMajor(drop(bwd), mask, B, true, training);
        // Residual connection between layers (not into the first layer, whose input is the token representation).
        fwd = l === 0 ? f : tf.add(f, fwd);
        bwd = l === 0 ? b : tf.add(b, bwd);
        if (withLayers) layers.push(fromTimeMajor(tf.concat([fwd, bwd], 1) as tf.Tensor2D, B));
      }
      if (withLayers) return { layers };
      return { layers, topForward: drop(fwd), topBackward: drop(bwd) };
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
