import type { EntityPrediction } from '../types';
import { runDocumentPasses } from './passes';

/**
 * What the whole document adds to its sentences' entities: the document passes (passes/index.ts: abbreviations, then
 * repeats). Takes entities in document offsets and the tagged sentence ranges (sorted); nothing is added outside them.
 * Returns the entities sorted by start.
 */
export function resolveDocument(
  text: string,
  sentenceEntities: readonly EntityPrediction[],
  sentences: ReadonlyArray<{ start: number; end: number }>,
  languageId?: string,
): EntityPrediction[] {
  return runDocumentPasses({ text, sentences, languageId }, sentenceEntities);
}

/**
 * A document's entities from its sentences' (offsets relative to each sentence, as TextTagger.tagSentences gives
 * them): shifted into document offsets, then the document pass. Sorted by start.
 */
export function documentEntities(
  text: string,
  sentences: ReadonlyArray<{ start: number; end: number }>,
  perSentence: readonly (readonly EntityPrediction[])[],
): EntityPrediction[] {
  const entities = perSentence.flatMap((found, i) =>
    found.map((e) => ({ ...e, start: e.start + sentences[i].start, end: e.end + sentences[i].start })),
  );
  return resolveDocument(text, entities, sentences);
}
