import type { EntityPrediction } from '../types';
import { propagateAbbreviations } from './abbreviations';
import { labelRepeats } from './repeats';

/**
 * What the whole document adds to its sentences' entities: abbreviations agree with their long forms
 * (abbreviations.ts), then untagged repeats of confidently tagged names get their label (repeats.ts). Takes entities
 * in document offsets; returns them sorted by start. With `tagged` (the ranges that were tagged, sorted, e.g. a
 * Markdown file's text outside code blocks), nothing is added outside them.
 */
export function resolveDocument(
  text: string,
  sentenceEntities: readonly EntityPrediction[],
  tagged?: ReadonlyArray<{ start: number; end: number }>,
): EntityPrediction[] {
  const resolved = labelRepeats(text, propagateAbbreviations(text, sentenceEntities));
  if (!tagged) return resolved;
  let r = 0;
  return resolved.filter((e) => {
    while (r < tagged.length && tagged[r].end <= e.start) r++;
    return r < tagged.length && tagged[r].start <= e.start && e.end <= tagged[r].end;
  });
}

/**
 * A document's entities from its sentences' (offsets relative to each sentence, as TextTagger.tagSentences gives
 * them): shifted into document offsets, then the document pass. Sorted by start.
 */
export function documentEntities(
  text: string,
  sentences: ReadonlyArray<{ start: number }>,
  perSentence: readonly (readonly EntityPrediction[])[],
): EntityPrediction[] {
  const entities = perSentence.flatMap((found, i) =>
    found.map((e) => ({ ...e, start: e.start + sentences[i].start, end: e.end + sentences[i].start })),
  );
  return resolveDocument(text, entities);
}
