// ELMo's scalar mix (the idea of AllenNLP's ScalarMix): a task-specific weighted sum of the BiLM's layers,
// gamma * sum_k softmax(w)_k * layer_k, optionally normalising each layer's token vectors first.
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from './params';

export class ScalarMix {
  readonly params = new ParamStore();
  readonly weights: tf.Variable; // [numLayers], softmax-normalised when applied
  readonly gamma: tf.Variable; // [] overall scale

  constructor(readonly numLayers: number, readonly layerNorm = false, name = 'scalarMix', trainable = true) {
    this.weights = this.params.add(`${name}/weights`, tf.zeros([numLayers]), trainable);
    this.gamma = this.params.add(`${name}/gamma`, tf.scalar(1), trainable);
  }

  get variables(): tf.Variable[] {
    return this.params.variables;
  }

  /** layers: numLayers tensors [B,T,D] -> [B,T,D]. */
  apply(layers: tf.Tensor3D[]): tf.Tensor3D {
    if (layers.length !== this.numLayers) throw new Error(`ScalarMix expects ${this.numLayers} layers, got ${layers.length}`);
    return tf.tidy(() => {
      const w = tf.unstack(tf.softmax(this.weights));
      let sum: tf.Tensor | undefined;
      layers.forEach((layer, k) => {
        const x = this.layerNorm ? normalise(layer) : layer;
        const term = tf.mul(x, w[k]);
        sum = sum ? tf.add(sum, term) : term;
      });
      return tf.mul(sum!, this.gamma) as tf.Tensor3D;
    });
  }

  /** The normalised layer weights (for reports: which BiLM layer the task uses most). */
  layerWeights(): number[] {
    return tf.tidy(() => Array.from(tf.softmax(this.weights).dataSync()));
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Zero mean, unit variance over the feature axis of each token: [B,T,D] -> [B,T,D]. */
function normalise(x: tf.Tensor3D): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-6)));
}
