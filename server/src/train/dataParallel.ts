// Data-parallel LM pre-training over worker threads (wasm runs one thread per process, so more cores need more
// replicas). Each step: the batch is split into shards by tokens; the main thread computes the gradients of its
// shard while each worker replica computes its own; the token-weighted mean gradient is clipped and applied by the
// main thread's Adam; the new weights go back to the replicas. Replicas therefore never drift.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors';
import { Worker } from 'node:worker_threads';
import type { LanguageModel } from './languageModel';
import type { ReplicaInit, ReplicaReply, ReplicaRequest } from './pretrainWorker';

/**
 * The worker script: dist/pretrain-worker.js beside the bundle, or, when running from sources (tests under tsx),
 * the built bundle at <repo>/dist/ (`node scripts/test.mjs` builds first).
 */
function workerScript(): string {
  for (const file of [join(__dirname, 'pretrain-worker.js'), resolve(__dirname, '..', '..', '..', 'dist', 'pretrain-worker.js')]) {
    if (existsSync(file)) return file;
  }
  throw new UserError(`${join(__dirname, 'pretrain-worker.js')}: the pre-training worker is missing (run "npm run build")`);
}

class Replica {
  private pending?: { resolve: (r: ReplicaReply) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: ReplicaReply) => {
      const p = this.pending;
      this.pending = undefined;
      if (reply.type === 'error') {
        this.failure = new Error(`pre-training worker failed: ${reply.message}`);
        p?.reject(this.failure);
      } else p?.resolve(reply);
    });
    worker.on('error', (e) => {
      this.failure = e;
      this.pending?.reject(e);
      this.pending = undefined;
    });
  }

  next(): Promise<ReplicaReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  send(request: ReplicaRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(request, transfer);
  }
}

export class DataParallel {
  private constructor(private readonly replicas: Replica[]) {}

  /** Starts `count` worker replicas (in addition to the main thread) and gives them the model's weights. */
  static async start(count: number, init: ReplicaInit, lm: LanguageModel): Promise<DataParallel> {
    const file = workerScript();
    const replicas = Array.from({ length: count }, (_, i) => new Replica(new Worker(file, { workerData: { ...init, seed: init.seed + 101 * (i + 1) } })));
    const ready = await Promise.all(replicas.map((r) => r.next()));
    if (ready.some((r) => r.type !== 'ready')) throw new Error('pre-training workers did not start');
    const dp = new DataParallel(replicas);
    dp.broadcastWeights(lm);
    return dp;
  }

  get size(): number {
    return this.replicas.length + 1;
  }

  broadcastWeights(lm: LanguageModel): void {
    const vars = lm.bilm.params.variables;
    for (const r of this.replicas) {
      const values = vars.map((v) => (v.dataSync() as Float32Array).slice());
      r.send({ type: 'weights', values }, values.map((v) => v.buffer as ArrayBuffer));
    }
  }

  /**
   * One step on `sentences`: gradients from all replicas, token-weighted mean, global-norm clipping, Adam.
   * Returns the mean loss.
   */
  async step(lm: LanguageModel, optimizer: tf.Optimizer, sentences: string[][], clipNorm: number): Promise<number> {
    const shards = splitByTokens(sentences, this.size);
    const vars = lm.bilm.params.variables;
    const replies = this.replicas.flatMap((r, i) => {
      if (shards[i + 1].length === 0) return []; // fewer sentences than replicas
      const reply = r.next();
      r.send({ type: 'gradients', sentences: shards[i + 1] });
      return [reply];
    });
    const own = tf.variableGrads(() => lm.trainingLoss(shards[0]), vars);
    const ownTokens = shards[0].reduce((s, w) => s + w.length, 0);
    const results = (await Promise.all(replies)) as Array<Extract<ReplicaReply, { type: 'gradients' }>>;
    const total = ownTokens + results.reduce((s, r) => s + r.tokens, 0);
    const ownLoss = own.value.dataSync()[0];
    own.value.dispose();
    const loss = (ownLoss * ownTokens + results.reduce((s, r) => s + r.loss * r.tokens, 0)) / Math.max(1, total);
    tf.tidy(() => {
      const mean = vars.map((v, i) => {
        let g = tf.mul(own.grads[v.name], ownTokens / total);
        for (const r of results) g = tf.add(g, tf.mul(tf.tensor(r.values[i], v.shape), r.tokens / total));
        return g;
      });
      const norm = Math.sqrt(tf.addN(mean.map((g) => tf.sum(tf.square(g)))).dataSync()[0]);
      const scale = Number.isFinite(norm) && norm > clipNorm ? clipNorm / norm : 1;
      optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: scale === 1 ? mean[i] : tf.mul(mean[i], scale) })));
    });
    Object.values(own.grads).forEach((g) => g.dispose());
    this.broadcastWeights(lm);
    return loss;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.replicas.map(
        (r) =>
          new Promise<void>((resolve) => {
            r.worker.once('exit', () => resolve());
            r.send({ type: 'stop' });
            setTimeout(() => void r.worker.terminate().then(() => resolve()), 2000).unref();
          }),
      ),
    );
  }
}

/** Splits sentences into n shards of about equal token counts (greedy, longest first). */
export function splitByTokens(sentences: string[][], n: number): string[][][] {
  const shards: string[][][] = Array.from({ length: n }, () => []);
  const load = new Array(n).fill(0);
  const order = sentences.map((_, i) => i).sort((a, b) => sentences[b].length - sentences[a].length);
  for (const i of order) {
    let k = 0;
    for (let j = 1; j < n; j++) if (load[j] < load[k]) k = j;
    shards[k].push(sentences[i]);
    load[k] += sentences[i].length;
  }
  // An empty shard would make an empty batch; give it a sentence from the fullest one.
  for (let k = 0; k < n; k++) {
    if (shards[k].length === 0) {
      const donor = shards.reduce((best, s, j) => (s.length > shards[best].length ? j : best), 0);
      if (shards[donor].length > 1) shards[k].push(shards[donor].pop()!);
    }
  }
  return shards;
}
