// Groups the sentences of many documents into batches of similar length before they reach the model, so a batch
// pads little (the model pads every sentence of a batch to the longest). Sentences wait while every tagger already
// has `depth` batches queued; then up to `window` batches' worth are sorted by length and sent.
import type { EntityPrediction } from '../types';
import type { SentenceTagger } from '../tagging/tagger';
import type { TaggingBackend } from './backend';

interface Waiting {
  text: string;
  doc: DocumentResult;
  index: number;
}

interface DocumentResult {
  entities: EntityPrediction[][];
  remaining: number;
  resolve(entities: EntityPrediction[][]): void;
  reject(error: Error): void;
}

export interface BatcherOptions {
  /** Sentences per model call. */
  batchSize: number;
  /** Batches sorted together (the more, the more uniform each batch's lengths). */
  window: number;
  /** Batches kept queued per tagger, so none idles while the next batch is on its way. */
  depth: number;
}

/** A SentenceTagger over a backend: each caller's sentences join the others' in length-sorted batches. */
export class SentenceBatcher implements SentenceTagger {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private failure: Error | undefined;

  /**
   * `signal`: aborting it rejects every document not yet tagged (with the signal's reason) and cancels the batches
   * the taggers hold, so a Ctrl-C does not wait for the whole backlog.
   */
  constructor(
    private readonly pool: TaggingBackend,
    private readonly options: BatcherOptions = { batchSize: 256, window: 4, depth: 2 },
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', () => this.fail(abortReason(signal)), { once: true });
  }

  /** Entities of each sentence (offsets relative to the sentence), once all of them are tagged. */
  tagSentences(sentences: string[]): Promise<EntityPrediction[][]> {
    if (this.signal?.aborted) return Promise.reject(abortReason(this.signal));
    if (this.failure) return Promise.reject(this.failure);
    if (sentences.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const doc: DocumentResult = { entities: new Array(sentences.length), remaining: sentences.length, resolve, reject };
      sentences.forEach((text, index) => this.waiting.push({ text, doc, index }));
      this.schedule();
    });
  }

  /** Sentences not yet sent to a tagger. */
  get backlog(): number {
    return this.waiting.length;
  }

  /** Flushes on the next turn of the event loop, so sentences added in one burst are sorted together. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const { batchSize, window, depth } = this.options;
    while (this.waiting.length && this.pool.busy < this.pool.size * depth) {
      const taken = this.waiting.splice(0, batchSize * window).sort((a, b) => a.text.length - b.text.length);
      // At least one batch per tagger, so a small job still keeps every worker busy.
      const batches = Math.max(Math.ceil(taken.length / batchSize), Math.min(this.pool.size, taken.length));
      // Exactly `batches` batches, sizes at most one apart (slicing by ceil(n / batches) can make fewer: 4 sentences,
      // 3 taggers -> 2 + 2, one tagger idle).
      const base = Math.floor(taken.length / batches);
      const extra = taken.length % batches;
      for (let b = 0, i = 0; b < batches; b++) {
        const size = base + (b < extra ? 1 : 0);
        this.send(taken.slice(i, (i += size)));
      }
    }
  }

  private send(batch: Waiting[]): void {
    this.pool.tagSentences(batch.map((w) => w.text), this.signal).then(
      (results) => {
        batch.forEach((w, i) => {
          w.doc.entities[w.index] = results[i] ?? [];
          if (--w.doc.remaining === 0) w.doc.resolve(w.doc.entities);
        });
        this.schedule();
      },
      (error: Error) => {
        for (const w of batch) w.doc.reject(error);
        // A failed batch fails every document waiting on the pool: the run stops with this error.
        this.fail(error);
      },
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.splice(0)) w.doc.reject(error);
  }
}

/** Why a document was not tagged after an abort (an Error, whatever was passed to abort()). */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
