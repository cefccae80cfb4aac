// The seam between bulk tagging and whatever runs the model. bulkTag.ts batches sentences (sentenceBatcher.ts) and
// sends each batch to a TaggingBackend; it never knows where the model runs. Implemented by TaggerPool
// (taggerPool.ts: worker threads, or this thread with 0 workers). A queue backend (e.g. Redis/BullMQ, tagging on
// other machines) implements the same interface and is passed to bulkTag as BulkTagOptions.backend.
import type { SentenceTagger } from '../tagging/tagger';
import type { EntityPrediction } from '../types';

export interface TaggingBackend extends SentenceTagger {
  /** The model's name (config.json), reported in the run's summary. */
  readonly modelName: string;
  /**
   * How many batches it tags at once (workers, consumers). The batcher keeps `depth` batches queued per unit and
   * sends at least one batch per unit, so a small job still uses every one.
   */
  readonly size: number;
  /** Batches sent and not yet answered. */
  readonly busy: number;
  /**
   * Tags one batch: result[i] holds the entities of sentences[i] (offsets relative to the sentence). Aborting `signal`
   * (Ctrl-C) should drop the batch if it has not started and must make the promise settle (reject) soon.
   */
  tagSentences(sentences: string[], signal?: AbortSignal): Promise<EntityPrediction[][]>;
  /** Releases workers / connections. Called once, when the run ends (also after a failure). */
  dispose(): void;
}

/** What starts a backend for a run: the model folder, the workers asked for (-w) and the sentences per batch. */
export type TaggingBackendFactory = (options: { modelDir: string; workers: number; batchSize: number }) => Promise<TaggingBackend>;
