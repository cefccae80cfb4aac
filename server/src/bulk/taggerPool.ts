// The default TaggingBackend (backend.ts): a pool of taggers, by default one worker thread per core, each with its own
// copy of the model. Each batch goes to the tagger with the fewest batches outstanding. With 0 workers the model runs
// in this thread (tiny jobs, debugging).
import type { EntityPrediction } from '../types';
import type { TaggingBackend, TaggingBackendFactory } from './backend';
import { loadTagger } from '../tagging/load';
import type { TextTagger } from '../tagging/tagger';
import { WorkerTagger } from '../tagging/workerTagger';

/** A tagger that may drop a request when `signal` aborts (WorkerTagger does; an in-thread tagger just finishes). */
type CancellableTagger = TextTagger & { tagSentences(sentences: string[], signal?: AbortSignal): Promise<EntityPrediction[][]> };

export class TaggerPool implements TaggingBackend {
  private readonly outstanding: number[];

  private constructor(private readonly taggers: CancellableTagger[]) {
    this.outstanding = taggers.map(() => 0);
  }

  /** Loads the model in `workers` worker threads (in parallel), or in this thread when workers is 0. */
  static async start(modelDir: string, workers: number, batchSize: number): Promise<TaggerPool> {
    if (workers <= 0) return new TaggerPool([await loadTagger(modelDir)]);
    const started = await Promise.allSettled(
      Array.from({ length: workers }, () => WorkerTagger.start(modelDir, { chunkSize: batchSize })),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      for (const s of started) if (s.status === 'fulfilled') s.value.dispose();
      throw failed.reason;
    }
    return new TaggerPool(started.map((s) => (s as PromiseFulfilledResult<WorkerTagger>).value));
  }

  get size(): number {
    return this.taggers.length;
  }

  get modelName(): string {
    return this.taggers[0].modelName;
  }

  /** Batches sent and not yet answered, over all taggers. */
  get busy(): number {
    return this.outstanding.reduce((a, b) => a + b, 0);
  }

  /** Tags on the least busy tagger; aborting `signal` cancels the request (it rejects). */
  async tagSentences(sentences: string[], signal?: AbortSignal): Promise<EntityPrediction[][]> {
    let best = 0;
    for (let i = 1; i < this.taggers.length; i++) if (this.outstanding[i] < this.outstanding[best]) best = i;
    this.outstanding[best]++;
    // One signal per request, linked to the run's: WorkerTagger keeps a listener on the signal it is given, and
    // thousands of batches would pile listeners onto one long-lived signal.
    const request = new AbortController();
    const cancel = (): void => request.abort(signal?.reason);
    signal?.addEventListener('abort', cancel, { once: true });
    if (signal?.aborted) cancel();
    try {
      return await this.taggers[best].tagSentences(sentences, request.signal);
    } finally {
      signal?.removeEventListener('abort', cancel);
      this.outstanding[best]--;
    }
  }

  dispose(): void {
    for (const tagger of this.taggers) tagger.dispose();
  }
}

/** The default backend factory of bulkTag. */
export const startTaggerPool: TaggingBackendFactory = ({ modelDir, workers, batchSize }) => TaggerPool.start(modelDir, workers, batchSize);
