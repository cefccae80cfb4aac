import { findVariants } from '../../text/variants';
import type { EntityPrediction } from '../../types';
import type { DocumentPass } from './documentPass';

/** The label of sequence variants ("ΔF508", "p.Gly12Cys", "rs334"), found by the grammar of text/variants.ts. */
export const VARIANT_LABEL = 'VARIANT';

/** A side of an entity left over outside a variant keeps its label only if it still holds a word ("cancer"). */
const WORD = /[\p{L}]{3}/u;
const EDGE_JUNK = /^[\s\p{P}]+|[\s\p{P}]+$/gu;

/**
 * Every variant mention of the document becomes a VARIANT entity (the grammar is precise; the model has no such
 * label and tags some mutations as DRUG, e.g. "F508del"). A model entity overlapping a variant is cut to the parts of
 * it outside the variant that still hold a word, edge punctuation trimmed ("G12C-mutant cancer" -> "mutant cancer"),
 * and dropped if none does: a variant is never also a DRUG or DISEASE.
 */
export function labelVariants(text: string, entities: readonly EntityPrediction[]): EntityPrediction[] {
  const variants = findVariants(text);
  if (variants.length === 0) return [...entities];
  const out: EntityPrediction[] = variants.map((v) => ({
    start: v.start,
    end: v.end,
    text: v.text,
    label: VARIANT_LABEL,
    confidence: 1,
    ...(v.normalised ? { variant: v.normalised } : {}),
  }));
  let first = 0;
  for (const entity of entities) {
    while (first < variants.length && variants[first].end <= entity.start) first++;
    let pieces: { start: number; end: number }[] = [{ start: entity.start, end: entity.end }];
    for (let k = first; k < variants.length && variants[k].start < entity.end; k++) {
      const v = variants[k];
      pieces = pieces.flatMap((p) => {
        if (v.end <= p.start || p.end <= v.start) return [p];
        const sides: { start: number; end: number }[] = [];
        if (p.start < v.start) sides.push({ start: p.start, end: v.start });
        if (v.end < p.end) sides.push({ start: v.end, end: p.end });
        return sides;
      });
    }
    if (pieces.length === 1 && pieces[0].start === entity.start && pieces[0].end === entity.end) {
      out.push(entity);
      continue;
    }
    for (const piece of pieces) {
      const raw = text.slice(piece.start, piece.end);
      const lead = raw.length - raw.replace(/^[\s\p{P}]+/u, '').length;
      const trimmed = raw.replace(EDGE_JUNK, '');
      if (!WORD.test(trimmed)) continue;
      const start = piece.start + lead;
      out.push({ ...entity, start, end: start + trimmed.length, text: trimmed, runnerUp: undefined });
    }
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** Sequence variants as VARIANT entities, winning over overlapping model entities (labelVariants). */
export const variantPass: DocumentPass = {
  name: 'variants',
  run: (document, entities) => labelVariants(document.text, entities),
};
