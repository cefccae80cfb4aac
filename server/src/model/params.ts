// Named trainable parameters: every model piece keeps its variables here under "<piece name>/<param>" so weights
// can be saved, loaded and checked by name and shape.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors';

/** False while a model is built only to receive saved weights (withoutInitialValues). */
let initialValuesWanted = true;

/**
 * Builds a model every parameter of which is assigned from saved weights right after (ParamStore.setWeights refuses
 * a file that lacks one): meanwhile the initializers below give zeros instead of drawing random numbers that would
 * be thrown away, a sizeable part of a model load (and so of the editor's first colours).
 */
export function withoutInitialValues<T>(build: () => T): T {
  const before = initialValuesWanted;
  initialValuesWanted = false;
  try {
    return build();
  } finally {
    initialValuesWanted = before;
  }
}

/** Initial values uniform in [min, max) (zeros under withoutInitialValues). */
export function randomUniform(shape: number[], min: number, max: number, seed?: number): tf.Tensor {
  return initialValuesWanted ? tf.randomUniform(shape, min, max, 'float32', seed) : tf.zeros(shape);
}

/** Initial values from a normal distribution (zeros under withoutInitialValues). */
export function randomNormal(shape: number[], mean: number, stdDev: number): tf.Tensor {
  return initialValuesWanted ? tf.randomNormal(shape, mean, stdDev) : tf.zeros(shape);
}

/** Glorot-uniform initial values for a [fanIn, fanOut] matrix (or any shape, using its first and last dims). */
export function glorotUniform(shape: number[], seed?: number): tf.Tensor {
  const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0];
  const fanOut = shape[shape.length - 1];
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return randomUniform(shape, -limit, limit, seed);
}

export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();

  /** Creates a variable (tfjs names stay auto-generated: tfjs refuses two variables with one name per process). */
  add(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    if (this.vars.has(name)) throw new Error(`duplicate parameter ${name}`);
    const v = tf.variable(initial, trainable);
    initial.dispose();
    this.vars.set(name, v);
    return v;
  }

  /** Adopts all parameters of another store (a sub-module). */
  include(other: ParamStore): void {
    for (const [name, v] of other.vars) {
      if (this.vars.has(name)) throw new Error(`duplicate parameter ${name}`);
      this.vars.set(name, v);
    }
  }

  get variables(): tf.Variable[] {
    return [...this.vars.values()].filter((v) => v.trainable);
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  /** The current values by name (the variables themselves; do not dispose). */
  getWeights(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.vars);
  }

  /** Expected shapes by name, for checking a weights file before loading it. */
  shapes(): Record<string, number[]> {
    return Object.fromEntries([...this.vars].map(([n, v]) => [n, v.shape]));
  }

  /**
   * Assigns values by name. Every parameter must be present with the same shape; extra entries are ignored unless
   * `strict`. `source` names the file in error messages.
   */
  setWeights(weights: Record<string, tf.Tensor>, source = 'weights', strict = false): void {
    for (const [name, v] of this.vars) {
      const w = weights[name];
      if (!w) throw new UserError(`${source}: missing weight "${name}"`);
      if (w.shape.join(',') !== v.shape.join(',')) {
        throw new UserError(`${source}: weight "${name}" has shape [${w.shape}] but the model expects [${v.shape}]`);
      }
    }
    if (strict) {
      for (const name of Object.keys(weights)) {
        if (!this.vars.has(name)) throw new UserError(`${source}: unexpected weight "${name}"`);
      }
    }
    for (const [name, v] of this.vars) v.assign(weights[name]);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
