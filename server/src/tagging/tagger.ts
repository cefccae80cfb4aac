import type { EntityPrediction } from '../types';

/**
 * Anything that finds entities in text. The language server, the bulk tagger and the CLI only see this.
 * Offsets in the results of tagSentences are relative to each sentence string.
 */
export interface TextTagger {
  /** Human-readable model name (from the model's config). */
  readonly modelName: string;
  /** Entity labels the model can produce, e.g. ["DISEASE", "DRUG"]. */
  readonly labels: string[];
  /** Tags independent sentences (batched internally). result[i] holds the entities of sentences[i]. */
  tagSentences(sentences: string[]): Promise<EntityPrediction[][]>;
  /** Frees tensors / workers. */
  dispose(): void;
}
