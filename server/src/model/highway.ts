// Highway layers (Srivastava et al. 2015): y = g * relu(W_h x + b_h) + (1 - g) * x, g = sigmoid(W_g x + b_g).
// One [F, 2F] matMul per layer computes both halves.
import * as tf from '@tensorflow/tfjs-core';
import { glorotUniform, ParamStore } from './params';

export class Highway {
  readonly params = new ParamStore();
  private readonly kernels: tf.Variable[] = []; // per layer: [F, 2F] = [transform | gate]
  private readonly biases: tf.Variable[] = []; // per layer: [2F]

  constructor(readonly name: string, readonly dim: number, readonly layers: number) {
    for (let l = 0; l < layers; l++) {
      this.kernels.push(this.params.add(`${name}/layer${l}/kernel`, glorotUniform([dim, 2 * dim])));
      // Gate bias -1: start close to carrying the input through (g ~ 0.27), which trains more easily.
      const bias = tf.tidy(() => tf.concat([tf.zeros([dim]), tf.fill([dim], -1)]));
      this.biases.push(this.params.add(`${name}/layer${l}/bias`, bias));
    }
  }

  /** x [N, F] -> [N, F]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let y: tf.Tensor2D = x;
      for (let l = 0; l < this.layers; l++) {
        const both = tf.add(tf.matMul(y, this.kernels[l]), this.biases[l]) as tf.Tensor2D; // [N, 2F]
        const N = both.shape[0];
        const transformPart = tf.slice(both, [0, 0], [N, this.dim]);
        const gatePart = tf.slice(both, [0, this.dim], [N, this.dim]);
        const g = tf.sigmoid(gatePart);
        y = tf.add(tf.mul(g, tf.relu(transformPart)), tf.mul(tf.sub(1, g), y));
      }
      return y;
    });
  }
}
