import type { EntityPrediction } from '../types';

/**
 * The backend of the pipeline's "tag sentences" step (pipeline.ts): anything that turns sentence strings into their
 * entities. Implemented in-process (NeuralTagger, LexiconTagger), by a worker thread (WorkerTagger), by a pool of
 * workers (bulk/taggerPool.ts, through bulk/sentenceBatcher.ts), and later by a queue.
 */
export interface SentenceTagger {
  /**
   * Tags independent sentences. result[i] holds the entities of sentences[i], offsets relative to that string,
   * sorted by start. Aborting `signal` may drop the request (it then rejects); a backend that cannot cancel ignores it.
   */
  tagSentences(sentences: string[], signal?: AbortSignal): Promise<EntityPrediction[][]>;
}

/** A loaded model as a SentenceTagger. The language server, the bulk tagger and the CLI only see this. */
export interface TextTagger extends SentenceTagger {
  /** Human-readable model name (from the model's config). */
  readonly modelName: string;
  /** Entity labels the model can produce, e.g. ["DISEASE", "DRUG"]. */
  readonly labels: string[];
  /** Frees tensors / workers. */
  dispose(): void;
}
