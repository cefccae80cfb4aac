// Inference worker thread (bundled as dist/worker.js): loads one model with loadTagger(workerData.modelDir) and
// answers tagging requests by id, one at a time, so the thread that owns the worker (the language server's
// event loop, a bulk-tagging pool) never blocks on the model.
//
// Long requests are tagged in chunks of sentences; a `cancel` message that arrives between chunks drops the rest,
// so a newer version of a document does not wait for the tagging of an older one.
import { parentPort, workerData } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import type { EntityPrediction } from '../types';
import { UserError } from '../errors';
import { LexiconTagger } from './lexiconTagger';
import { loadTagger } from './load';
import type { TextTagger } from './tagger';

/** What the owner passes as `workerData`. */
export interface WorkerInit {
  /** The model to load at once; without it, the worker waits for a `load` message. */
  modelDir?: string;
  /** Initialise the tfjs engine while waiting for the model (WorkerTagger.prepare). */
  prepareEngine?: boolean;
  /** Sentences tagged per model call; cancellation is checked between chunks. */
  chunkSize?: number;
}

/** Owner -> worker. */
export type WorkerRequest =
  /** The model, for a worker started without one (WorkerTagger.prepare). */
  | { type: 'load'; modelDir: string }
  /** `urgent` jobs go before every queued ordinary one (e.g. the visible part of a document). */
  | { type: 'tag'; id: number; sentences: string[]; urgent?: boolean }
  | { type: 'cancel'; id: number }
  | { type: 'stats'; id: number }
  | { type: 'shutdown' };

/** Worker -> owner. `userError` marks errors whose message is meant for the user (bad model dir, bad input). */
export type WorkerReply =
  | { type: 'ready'; modelName: string; labels: string[] }
  | { type: 'loadFailed'; message: string; userError: boolean }
  | { type: 'result'; id: number; entities: EntityPrediction[][] }
  | { type: 'failed'; id: number; message: string; userError: boolean }
  | { type: 'cancelled'; id: number }
  | { type: 'stats'; id: number; numTensors: number };

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread (new Worker(...)), not as a script');
const init = workerData as WorkerInit;
const chunkSize = Math.max(1, init.chunkSize ?? 32);

const queue: Array<{ id: number; sentences: string[]; urgent: boolean }> = [];
/** Ids of the running job asked to stop (at most one entry at a time). */
const cancelled = new Set<number>();
let tagger: TextTagger | undefined;
let running = false;
let currentId: number | undefined;
/** Whether a model was named (one per worker). */
let loadAsked = false;

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

function describe(error: unknown): { message: string; userError: boolean } {
  if (error instanceof UserError) return { message: error.message, userError: true };
  if (error instanceof Error) return { message: error.stack ?? error.message, userError: false };
  return { message: String(error), userError: false };
}

/** Yields to the event loop so queued `cancel` messages are delivered before the next chunk. */
const yieldToMessages = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Sentences tagged lately, by text: the same sentence asked for twice (a visible range tagged urgently, then again
 * as part of its whole document; a header repeated in every note of a folder) is tagged once. Bounded.
 */
const recent = new LRUCache<string, EntityPrediction[]>({
  max: 5_000,
  maxSize: 4_000_000,
  sizeCalculation: (entities, sentence) => sentence.length + 64 * entities.length + 1,
});

async function tagRemembering(model: TextTagger, sentences: string[]): Promise<EntityPrediction[][]> {
  const result: EntityPrediction[][] = new Array(sentences.length);
  const todo: number[] = [];
  sentences.forEach((sentence, i) => {
    const known = recent.get(sentence);
    if (known) result[i] = known;
    else todo.push(i);
  });
  if (todo.length) {
    const tagged = await model.tagSentences(todo.map((i) => sentences[i]));
    todo.forEach((i, k) => {
      result[i] = tagged[k];
      recent.set(sentences[i], tagged[k]);
    });
  }
  return result;
}

async function drain(): Promise<void> {
  if (running || !tagger) return;
  running = true;
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const entities: EntityPrediction[][] = [];
      currentId = job.id;
      try {
        for (let i = 0; i < job.sentences.length; i += chunkSize) {
          if (cancelled.has(job.id)) break;
          entities.push(...(await tagRemembering(tagger, job.sentences.slice(i, i + chunkSize))));
          await yieldToMessages();
        }
        if (cancelled.delete(job.id)) reply({ type: 'cancelled', id: job.id });
        else reply({ type: 'result', id: job.id, entities });
      } catch (error) {
        cancelled.delete(job.id);
        reply({ type: 'failed', id: job.id, ...describe(error) });
      }
    }
  } finally {
    running = false;
    currentId = undefined;
  }
}

/** Live tfjs tensors in this thread (0 without a neural model: tfjs is then never loaded). For leak checks. */
async function tensorCount(): Promise<number> {
  if (!tagger || tagger instanceof LexiconTagger) return 0;
  const tf = await import('@tensorflow/tfjs-core');
  return tf.memory().numTensors;
}

port.on('message', (message: WorkerRequest) => {
  switch (message.type) {
    case 'tag': {
      const job = { id: message.id, sentences: message.sentences, urgent: !!message.urgent };
      // Urgent jobs in arrival order, before all ordinary ones.
      const at = job.urgent ? queue.findIndex((queued) => !queued.urgent) : -1;
      if (at >= 0) queue.splice(at, 0, job);
      else queue.push(job);
      void drain();
      break;
    }
    case 'cancel': {
      const index = queue.findIndex((job) => job.id === message.id);
      if (index >= 0) {
        queue.splice(index, 1);
        reply({ type: 'cancelled', id: message.id });
      } else if (message.id === currentId) {
        cancelled.add(message.id); // the running job stops at its next chunk boundary
      }
      break;
    }
    case 'stats':
      void tensorCount().then((numTensors) => reply({ type: 'stats', id: message.id, numTensors }));
      break;
    case 'load':
      load(message.modelDir);
      break;
    case 'shutdown':
      tagger?.dispose();
      port.close();
      break;
  }
});

function load(modelDir: string): void {
  if (loadAsked) return;
  loadAsked = true;
  loadTagger(modelDir).then(
    (loaded) => {
      tagger = loaded;
      reply({ type: 'ready', modelName: loaded.modelName, labels: loaded.labels });
      void drain();
    },
    (error: unknown) => reply({ type: 'loadFailed', ...describe(error) }),
  );
}

if (init.modelDir) load(init.modelDir);
// Loaded lazily (as the neural tagger is) so that a worker for a lexicon never loads tfjs. A failure here fails the
// same way again when a neural model asks for the engine (initEngine keeps it), and is reported then.
else if (init.prepareEngine) void import('../engine/backend').then(({ initEngine }) => initEngine()).catch(() => undefined);
