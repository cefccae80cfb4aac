// Named trainable parameters: every model piece keeps its variables here under "<piece name>/<param>" so weights
// can be saved, loaded and checked by name and shape.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors';

/**
 * Initial values made only when a parameter needs them: a model built from saved weights (withSavedValues) neither
 * draws nor allocates values that the saved ones would replace.
 */
export interface Initializer {
  readonly shape: number[];
  make(): tf.Tensor;
}

/** The saved tensors by parameter name while a model is built from them (withSavedValues). */
let savedValues: Record<string, tf.Tensor> | undefined;

/**
 * Builds a model whose parameters take the saved tensor of their name (same shape and dtype) instead of initial
 * values: nothing is drawn, allocated or copied twice, a sizeable part of a model load (and so of the editor's first
 * colours). The parameters share the saved tensors' memory, so the caller disposes of `values` afterwards as usual.
 * A parameter with no fitting saved tensor gets its initial values: the caller still checks the weights against the
 * model (ParamStore.setWeights refuses what is missing or misshapen).
 */
export function withSavedValues<T>(values: Record<string, tf.Tensor>, build: () => T): T {
  const before = savedValues;
  savedValues = values;
  try {
    return build();
  } finally {
    savedValues = before;
  }
}

/** Initial values uniform in [min, max). */
export function randomUniform(shape: number[], min: number, max: number, seed?: number): Initializer {
  return { shape, make: () => tf.randomUniform(shape, min, max, 'float32', seed) };
}

/** Initial values from a normal distribution. */
export function randomNormal(shape: number[], mean: number, stdDev: number): Initializer {
  return { shape, make: () => tf.randomNormal(shape, mean, stdDev) };
}

/** Glorot-uniform initial values for a [fanIn, fanOut] matrix (or any shape, using its first and last dims). */
export function glorotUniform(shape: number[], seed?: number): Initializer {
  const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0];
  const fanOut = shape[shape.length - 1];
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return randomUniform(shape, -limit, limit, seed);
}

export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();

  /**
   * Creates a variable (tfjs names stay auto-generated: tfjs refuses two variables with one name per process) holding
   * the saved tensor of its name while a model is built from saved weights (withSavedValues), else `initial`.
   */
  add(name: string, initial: tf.Tensor | Initializer, trainable = true): tf.Variable {
    if (this.vars.has(name)) throw new Error(`duplicate parameter ${name}`);
    const saved = savedValues?.[name];
    const dtype = initial instanceof tf.Tensor ? initial.dtype : 'float32';
    let v: tf.Variable;
    if (saved && saved.dtype === dtype && saved.shape.join(',') === initial.shape.join(',')) {
      v = tf.variable(saved, trainable);
      if (initial instanceof tf.Tensor) initial.dispose();
    } else {
      const values = initial instanceof tf.Tensor ? initial : initial.make();
      v = tf.variable(values, trainable);
      values.dispose();
    }
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
    // A variable built from its saved tensor (withSavedValues) holds it already.
    for (const [name, v] of this.vars) if (v.dataId !== weights[name].dataId) v.assign(weights[name]);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
