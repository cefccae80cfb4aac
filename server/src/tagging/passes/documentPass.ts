import type { Section } from '../../text/sections';
import type { EntityPrediction } from '../../types';

/** What a document pass sees of a document besides its entities. All offsets are document offsets. */
export interface PassDocument {
  readonly text: string;
  /** The sentences that were tagged, sorted by start (the one segmenter's output). Passes add nothing outside them. */
  readonly sentences: ReadonlyArray<{ start: number; end: number }>;
  /** The editor's language id when known ('clinical-note' for .note files, 'markdown', 'plaintext', ...). */
  readonly languageId?: string;
  /**
   * The note's sections (../../text/sections.ts), sorted by start; `sectionAt(sections, offset)` gives a mention's.
   * runDocumentPasses fills it (computed on first read) when the caller does not.
   */
  readonly sections?: readonly Section[];
}

/**
 * One step after the model over a whole document's entities (abbreviations, repeats, ...). Adding a pass is one file
 * in this folder and one line in DOCUMENT_PASSES (index.ts).
 */
export interface DocumentPass {
  /** Short name, shown in `bioner info` and in errors. */
  readonly name: string;
  /** Takes the entities sorted by start and returns the new list sorted by start; never mutates its input. */
  run(document: PassDocument, entities: readonly EntityPrediction[]): EntityPrediction[];
}

/**
 * Runs `perSentence` on each sentence's entities (those inside it), with offsets into the sentence's text, and returns
 * all entities in document offsets: for passes whose rule never reaches across a sentence boundary.
 */
export function bySentence(
  document: PassDocument,
  entities: readonly EntityPrediction[],
  perSentence: (text: string, entities: EntityPrediction[]) => EntityPrediction[],
): EntityPrediction[] {
  const out: EntityPrediction[] = [];
  let e = 0;
  for (const sentence of document.sentences) {
    const inside: EntityPrediction[] = [];
    while (e < entities.length && entities[e].start < sentence.start) out.push(entities[e++]);
    while (e < entities.length && entities[e].end <= sentence.end) inside.push(entities[e++]);
    if (inside.length === 0) continue;
    const offset = sentence.start;
    const text = document.text.slice(sentence.start, sentence.end);
    const shifted = inside.map((x) => ({ ...x, start: x.start - offset, end: x.end - offset }));
    for (const x of perSentence(text, shifted)) out.push({ ...x, start: x.start + offset, end: x.end + offset });
  }
  while (e < entities.length) out.push(entities[e++]);
  return out;
}
