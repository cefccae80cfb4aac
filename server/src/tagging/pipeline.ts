// The one way a document is tagged, whoever asks (language server, `bioner tag`, bulk tagging, `bioner eval` of
// documents):
//
//   text -> segment (segmenter.ts) -> tag sentences (a SentenceTagger backend, tagger.ts) -> the model's passes:
//   terms (passes/terms.ts), then DOCUMENT_PASSES in order (passes/index.ts) -> entities
//
// The language server runs the steps itself (it caches sentences and re-segments only around an edit) but uses
// the same segmenter, the same passes and resolveDocument below.
import type { EntityPrediction, Sentence } from '../types';
import { DOCUMENT_PASSES, runDocumentPasses, type DocumentPass } from './passes';
import { termPass } from './passes/terms';
import { segment } from './segmenter';
import type { SentenceTagger } from './tagger';
import type { TermLexicon } from './terms';

/** The passes a model's entities go through: its terms.tsv first (when it has one), then DOCUMENT_PASSES. */
export function passesFor(terms: TermLexicon | undefined): readonly DocumentPass[] {
  return terms ? [termPass(terms), ...DOCUMENT_PASSES] : DOCUMENT_PASSES;
}

export interface DocumentOptions {
  /** The editor's language id, or languageOfFile() of the file name ('markdown' skips fenced code). */
  languageId?: string;
  /** The model's passes (passesFor); default DOCUMENT_PASSES alone. */
  passes?: readonly DocumentPass[];
  signal?: AbortSignal;
}

export interface TaggedText {
  /** The sentences that were tagged, with their tokens (document offsets). */
  sentences: Sentence[];
  /** Sorted by start, document offsets. */
  entities: EntityPrediction[];
}

/** Tags a whole text: segment, tag the sentences with `tagger`, run the passes. */
export function tagDocument(tagger: SentenceTagger, text: string, options: DocumentOptions = {}): Promise<TaggedText> {
  return tagSegmented(tagger, text, segment(text, options.languageId), options);
}

/** tagDocument after its first step, for a caller that needed the sentences first (bulk tagging counts them). */
export async function tagSegmented(
  tagger: SentenceTagger,
  text: string,
  sentences: Sentence[],
  options: DocumentOptions = {},
): Promise<TaggedText> {
  const perSentence = sentences.length ? await tagger.tagSentences(sentences.map((s) => text.slice(s.start, s.end)), options.signal) : [];
  const entities = perSentence.flatMap((found, i) =>
    found.map((e) => ({ ...e, start: e.start + sentences[i].start, end: e.end + sentences[i].start })),
  );
  return { sentences, entities: resolveDocument(text, entities, sentences, options) };
}

/**
 * The passes over a document whose sentences are tagged: `sentenceEntities` in document offsets, `sentences` the
 * tagged ranges (sorted); nothing is added outside them. Returns the entities sorted by start.
 */
export function resolveDocument(
  text: string,
  sentenceEntities: readonly EntityPrediction[],
  sentences: ReadonlyArray<{ start: number; end: number }>,
  options: Pick<DocumentOptions, 'languageId' | 'passes'> = {},
): EntityPrediction[] {
  return runDocumentPasses({ text, sentences, languageId: options.languageId }, sentenceEntities, options.passes ?? DOCUMENT_PASSES);
}
