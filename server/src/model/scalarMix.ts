// ELMo's scalar mix (the idea of AllenNLP's ScalarMix): a task-specific weighted sum of the BiLM's layers,
// gamma * sum_k softmax(w)_k * layer_k, optionally normalising each layer's token vectors first.
import * as tf from '@tensorflow/tfjs-core';

export class ScalarMix {
  readonly weights: tf.Variable; // [numLayers], softmax-normalised when applied
  readonly gamma: tf.Variable; // [] overall scale

  constructor(readonly numLayers: number, readonly layerNorm = false, name = 'scalarMix', trainable = true) {
    [this.weights, this.gamma] = tf.tidy(() => [
      tf.variable(tf.zeros([numLayers]), trainable, `${name}/weights`),
      tf.variable(tf.scalar(1), trainable, `${name}/gamma`),
    ]);
  }

  get variables(): tf.Variable[] {
    return [this.weights, this.gamma];
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

  getWeights(): Record<string, tf.Tensor> {
    return { weights: this.weights, gamma: this.gamma };
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    this.weights.assign(weights.weights as tf.Tensor1D);
    this.gamma.assign(weights.gamma as tf.Scalar);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** Zero mean, unit variance over the feature axis of each token: [B,T,D] -> [B,T,D]. */
function normalise(x: tf.Tensor3D): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-6)));
}
