// A data-parallel pre-training replica (worker thread, bundled as dist/pretrain-worker.js): holds a copy of the
// language model, computes the loss gradients of the batch shard it is sent, and takes the main thread's weights
// after each optimizer step. See dataParallel.ts.
import * as tf from '@tensorflow/tfjs-core';
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine, type BackendName } from '../engine/backend';
import type { RepresentationConfig } from '../model/config';
import { loadVocabs } from '../model/vocab';
import { LanguageModel } from './languageModel';
import { seededRandom } from '../model/batching';

export interface ReplicaInit {
  config: RepresentationConfig;
  vocabDir: string;
  seed: number;
  backend?: BackendName;
}

export type ReplicaRequest =
  | { type: 'weights'; values: Float32Array[] }
  | { type: 'gradients'; sentences: string[][] }
  | { type: 'stop' };

export type ReplicaReply =
  | { type: 'ready' }
  | { type: 'gradients'; loss: number; tokens: number; values: Float32Array[] }
  | { type: 'error'; message: string };

async function main(): Promise<void> {
  const port = parentPort!;
  const init = workerData as ReplicaInit;
  await initEngine({ backend: init.backend });
  const { words, chars } = loadVocabs(init.vocabDir);
  const lm = new LanguageModel(init.config, chars, words, seededRandom(init.seed));
  const vars = lm.bilm.params.variables;
  port.on('message', (request: ReplicaRequest) => {
    try {
      if (request.type === 'stop') {
        lm.dispose();
        port.close();
        return;
      }
      if (request.type === 'weights') {
        tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(request.values[i], v.shape))));
        lm.bilm.encoder.clearCache();
        return;
      }
      const { value, grads } = tf.variableGrads(() => lm.trainingLoss(request.sentences), vars);
      const loss = value.dataSync()[0];
      value.dispose();
      const values = vars.map((v) => grads[v.name].dataSync() as Float32Array);
      Object.values(grads).forEach((g) => g.dispose());
      const tokens = request.sentences.reduce((s, w) => s + w.length, 0);
      const reply: ReplicaReply = { type: 'gradients', loss, tokens, values };
      port.postMessage(reply, values.map((v) => v.buffer as ArrayBuffer));
    } catch (e) {
      port.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies ReplicaReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies ReplicaReply);
}

main().catch((e: unknown) => parentPort?.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) }));
