// Checks shared by the character-offset formats (BRAT, JSONL): offsets inside the text, no overlaps.
import { inputError } from '../errors';
import type { Assertion, Span } from '../types';

/**
 * A character-offset entity as stored in documents; `confidence` (JSONL) and `assertion` (JSONL, brat attributes)
 * are kept when a format carries them.
 */
export type DocumentEntity = Span & { confidence?: number; assertion?: Assertion };

/** Sorts by start then end. */
export function sortSpans<T extends Span>(spans: T[]): T[] {
  return spans.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * Throws a UserError if two entities overlap (flat NER cannot represent it). `lineOf` names where each came from.
 */
export function checkNoOverlaps<T extends Span>(spans: readonly T[], file: string, lineOf: (span: T) => number | undefined): void {
  const sorted = sortSpans([...spans]);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (b.start < a.end) {
      const where = lineOf(a);
      throw inputError(
        file,
        lineOf(b),
        `entity ${b.label} ${b.start}-${b.end} overlaps entity ${a.label} ${a.start}-${a.end}` +
          (where !== undefined ? ` (line ${where})` : '') +
          ': overlapping or nested entities are not supported',
      );
    }
  }
}
