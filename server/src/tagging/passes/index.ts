import { findSections, type Section } from '../../text/sections';
import type { EntityPrediction } from '../../types';
import { abbreviationPass } from './abbreviations';
import { assertionPass } from './assertion';
import { coordinationPass } from './coordination';
import type { DocumentPass, PassDocument } from './documentPass';
import { headingPass } from './headings';
import { placeholderPass } from './placeholders';
import { repeatPass } from './repeats';
import { shorthandPass } from './shorthand';
import { variantPass } from './variants';

export type { DocumentPass, PassDocument } from './documentPass';

/** The document passes, in the order they run. */
// Headings before the passes that spread labels (a heading's words are no entity to repeat). Variants after the passes
// that spread model labels (they win every overlap), before placeholders (never part of an entity) and assertion (a
// variant can be negated like any finding).
export const DOCUMENT_PASSES: readonly DocumentPass[] = [abbreviationPass, shorthandPass, headingPass, repeatPass, coordinationPass, variantPass, placeholderPass, assertionPass];

/**
 * Runs the passes over a document's entities (document offsets, any order) and keeps only entities inside the tagged
 * sentences (e.g. a Markdown file's text outside code blocks). Returns them sorted by start.
 */
export function runDocumentPasses(
  document: PassDocument,
  entities: readonly EntityPrediction[],
  passes: readonly DocumentPass[] = DOCUMENT_PASSES,
): EntityPrediction[] {
  let current = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const withSections = withLazySections(document);
  for (const pass of passes) current = pass.run(withSections, current);
  const tagged = document.sentences;
  let r = 0;
  return current.filter((e) => {
    while (r < tagged.length && tagged[r].end <= e.start) r++;
    return r < tagged.length && tagged[r].start <= e.start && e.end <= tagged[r].end;
  });
}

/** The document with `sections` found on first read (most passes never read them). */
function withLazySections(document: PassDocument): PassDocument {
  if (document.sections) return document;
  let sections: readonly Section[] | undefined;
  return {
    text: document.text,
    sentences: document.sentences,
    languageId: document.languageId,
    get sections() {
      return (sections ??= findSections(document.text));
    },
  };
}
