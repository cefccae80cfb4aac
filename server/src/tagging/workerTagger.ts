import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { EntityPrediction } from '../types';
import { UserError } from '../errors';
import type { TextTagger } from './tagger';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker';

export interface WorkerTaggerOptions {
  /** The worker entry to run; default: dist/worker.js (see defaultWorkerScript). */
  workerScript?: string;
  /** Sentences per model call inside the worker; cancellation takes effect between chunks. Default 32. */
  chunkSize?: number;
  resourceLimits?: ResourceLimits;
  /** Called once if the worker dies on its own (crash, out of memory); pending requests are rejected first. */
  onExit?: (error: Error) => void;
}

/** Rejection reason of a request that was cancelled before its result arrived. */
export class CancelledError extends Error {
  constructor(id: number) {
    super(`tagging request ${id} was cancelled`);
    this.name = 'CancelledError';
  }
}

/** A request in flight: its id (for cancel) and its result. */
export interface TagRequest {
  id: number;
  result: Promise<EntityPrediction[][]>;
}

interface Pending {
  resolve(entities: EntityPrediction[][]): void;
  reject(error: Error): void;
}

/**
 * A TextTagger whose model lives in a worker thread: tagSentences never blocks the caller's event loop.
 * Requests are answered in order; `cancel(id)` (or an AbortSignal) drops a request that has become stale.
 */
export class WorkerTagger implements TextTagger {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly statsWaiting = new Map<number, { resolve(numTensors: number): void; reject(error: Error): void }>();
  private disposed = false;

  private constructor(
    private readonly worker: Worker,
    readonly modelName: string,
    readonly labels: string[],
    private readonly onExit?: (error: Error) => void,
  ) {
    worker.on('message', (reply: WorkerReply) => this.receive(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the inference worker exited (code ${code})`)));
  }

  /**
   * Starts a worker and loads `modelDir` in it. Resolves once the model is loaded; rejects with the loader's
   * UserError (same message) when the model directory is missing or broken.
   */
  static start(modelDir: string, options: WorkerTaggerOptions = {}): Promise<WorkerTagger> {
    const worker = spawnWorker({ modelDir: resolve(modelDir), chunkSize: options.chunkSize }, options);
    return WorkerTagger.whenLoaded(worker, modelDir, options);
  }

  /**
   * Starts a worker whose model is named later (PreparedWorker.load): meanwhile its thread boots and initialises the
   * tfjs engine (wasm, the BLAS addon), which no model folder changes. For a process that starts before it knows its
   * model: the language server, until its client's settings come with `initialize`.
   */
  static prepare(options: WorkerTaggerOptions = {}): PreparedWorker {
    const worker = spawnWorker({ chunkSize: options.chunkSize, prepareEngine: true }, options);
    let exited: Error | undefined;
    const onError = (error: Error): void => void (exited ??= error);
    const onExit = (code: number): void => void (exited ??= new Error(`the inference worker exited (code ${code}) before its model was named`));
    worker.on('error', onError);
    worker.on('exit', onExit);
    let taken = false;
    return {
      load(modelDir, loadOptions = {}) {
        if (taken) return Promise.reject(new Error('this prepared worker has loaded a model already'));
        taken = true;
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (exited) return Promise.reject(exited);
        worker.postMessage({ type: 'load', modelDir: resolve(modelDir) } satisfies WorkerRequest);
        return WorkerTagger.whenLoaded(worker, modelDir, { ...options, ...loadOptions });
      },
      dispose() {
        if (taken) return;
        taken = true;
        void worker.terminate();
      },
    };
  }

  /** Resolves with the tagger once `worker` reports its model loaded; rejects (and ends the worker) if it cannot. */
  private static whenLoaded(worker: Worker, modelDir: string, options: WorkerTaggerOptions): Promise<WorkerTagger> {
    return new Promise<WorkerTagger>((resolvePromise, reject) => {
      const onMessage = (reply: WorkerReply): void => {
        if (reply.type === 'ready') {
          cleanup();
          resolvePromise(new WorkerTagger(worker, reply.modelName, reply.labels, options.onExit));
        } else if (reply.type === 'loadFailed') {
          cleanup();
          void worker.terminate();
          reject(reply.userError ? new UserError(reply.message) : new Error(reply.message));
        }
      };
      const onError = (error: Error): void => {
        cleanup();
        void worker.terminate();
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`the inference worker exited (code ${code}) while loading ${modelDir}`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /** Requests waiting for a result (for load balancing in a pool). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** `urgent` requests are answered before every queued ordinary one (the running one still finishes first). */
  tagSentences(sentences: string[], signal?: AbortSignal, urgent = false): Promise<EntityPrediction[][]> {
    return this.request(sentences, signal, urgent).result;
  }

  /** Like tagSentences, but also returns the request id for `cancel`. */
  request(sentences: string[], signal?: AbortSignal, urgent = false): TagRequest {
    const id = this.nextId++;
    if (this.disposed) return { id, result: Promise.reject(new Error('the tagger was disposed')) };
    if (signal?.aborted) return { id, result: Promise.reject(new CancelledError(id)) };
    const result = new Promise<EntityPrediction[][]>((resolvePromise, reject) => {
      this.pending.set(id, { resolve: resolvePromise, reject });
    });
    signal?.addEventListener('abort', () => this.cancel(id), { once: true });
    this.post({ type: 'tag', id, sentences, urgent });
    return { id, result };
  }

  /** Live tensors in the worker (for leak checks: bioner/debugStats). */
  stats(): Promise<{ numTensors: number }> {
    if (this.disposed) return Promise.reject(new Error('the tagger was disposed'));
    const id = this.nextId++;
    return new Promise((resolvePromise, reject) => {
      this.statsWaiting.set(id, { resolve: (numTensors) => resolvePromise({ numTensors }), reject });
      this.post({ type: 'stats', id });
    });
  }

  /** Drops a request: its promise rejects with CancelledError now; the worker skips or stops the work. */
  cancel(id: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.reject(new CancelledError(id));
    this.post({ type: 'cancel', id });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rejectAll(new Error('the tagger was disposed'));
    void this.worker.terminate();
  }

  private post(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  private receive(reply: WorkerReply): void {
    if (reply.type === 'stats') {
      this.statsWaiting.get(reply.id)?.resolve(reply.numTensors);
      this.statsWaiting.delete(reply.id);
      return;
    }
    if (reply.type !== 'result' && reply.type !== 'failed') return; // 'cancelled' was already settled by cancel()
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.type === 'result') pending.resolve(reply.entities);
    else pending.reject(reply.userError ? new UserError(reply.message) : new Error(reply.message));
  }

  private fail(error: Error): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rejectAll(error);
    this.onExit?.(error);
  }

  private rejectAll(error: Error): void {
    const all = [...this.pending.values(), ...this.statsWaiting.values()];
    this.pending.clear();
    this.statsWaiting.clear();
    for (const p of all) p.reject(error);
  }
}

/** A worker started ahead of its model (WorkerTagger.prepare). */
export interface PreparedWorker {
  /** Loads `modelDir` in the prepared worker: as WorkerTagger.start, once (`options` may add onExit). */
  load(modelDir: string, options?: Pick<WorkerTaggerOptions, 'onExit'>): Promise<WorkerTagger>;
  /** Ends the worker unless a model was loaded in it (then the WorkerTagger owns it). */
  dispose(): void;
}

function spawnWorker(init: WorkerInit, options: WorkerTaggerOptions): Worker {
  const worker = new Worker(options.workerScript ?? defaultWorkerScript(), {
    workerData: init,
    resourceLimits: options.resourceLimits,
    // The owner's stdout may be a protocol stream (the language server over --stdio) or the CLI's data output:
    // anything the model code prints goes to stderr instead.
    stdout: true,
  });
  worker.stdout.pipe(process.stderr, { end: false });
  return worker;
}

/**
 * The worker entry. In the bundle, dist/worker.js sits beside dist/server.js and dist/cli.js (this code's
 * __dirname). Run from TypeScript sources (tests, benches under tsx), this file is server/src/tagging/ and the
 * worker is the built bundle at <repo>/dist/worker.js (`node scripts/test.mjs` builds first).
 */
export function defaultWorkerScript(): string {
  const sibling = join(__dirname, 'worker.js');
  if (existsSync(sibling)) return sibling;
  const built = resolve(__dirname, '..', '..', '..', 'dist', 'worker.js');
  if (existsSync(built)) return built;
  throw new UserError(`${sibling}: the inference worker is missing (run "npm run build")`);
}
