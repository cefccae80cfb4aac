// JSON Lines: one document per line, `{"id"?, "text", "entities": [{"start", "end", "label", "confidence"?, "assertion"?}]}`.
// Offsets are UTF-16 code units (JavaScript string indices), end exclusive. Blank lines are skipped.
import { inputError } from '../errors';
import type { AnnotatedDocument } from '../types';
import { readAssertionJson } from './assertionJson';
import { checkNoOverlaps, sortSpans, type DocumentEntity } from './entities';

export interface JsonlDocument extends AnnotatedDocument {
  entities: DocumentEntity[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSONL; documents without an "id" get `<line number>` as id. */
export function parseJsonl(content: string, file: string): JsonlDocument[] {
  const documents: JsonlDocument[] = [];
  const lines = content.split(/\r?\n/);
  const seenIds = new Map<string, number>();
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw inputError(file, lineNo, `invalid JSON (${(error as Error).message})`);
    }
    if (!isRecord(value)) throw inputError(file, lineNo, 'expected a JSON object {"text": ..., "entities": [...]}');
    const { id, text, entities } = value;
    if (typeof text !== 'string') throw inputError(file, lineNo, '"text" must be a string');
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') throw inputError(file, lineNo, '"id" must be a string or a number');
    if (entities !== undefined && !Array.isArray(entities)) throw inputError(file, lineNo, '"entities" must be an array');
    const documentId = id === undefined ? String(lineNo) : String(id);
    const previous = seenIds.get(documentId);
    if (previous !== undefined) throw inputError(file, lineNo, `duplicate document id "${documentId}" (first on line ${previous})`);
    seenIds.set(documentId, lineNo);
    const parsed: DocumentEntity[] = ((entities ?? []) as unknown[]).map((entity, k) => {
      const what = `entity ${k + 1}`;
      if (!isRecord(entity)) throw inputError(file, lineNo, `${what} must be an object {"start", "end", "label"}`);
      const { start, end, label, confidence, assertion } = entity;
      if (!Number.isInteger(start) || !Number.isInteger(end)) throw inputError(file, lineNo, `${what}: "start" and "end" must be integers`);
      const s = start as number;
      const e = end as number;
      if (s < 0 || e <= s) throw inputError(file, lineNo, `${what}: bad offsets ${s}-${e} (need 0 <= start < end)`);
      if (e > text.length) throw inputError(file, lineNo, `${what}: offset ${e} is past the end of the text (${text.length} characters)`);
      if (typeof label !== 'string' || label.trim() === '' || /\s/.test(label)) {
        throw inputError(file, lineNo, `${what}: "label" must be a non-empty string without spaces`);
      }
      const result: DocumentEntity = { start: s, end: e, label };
      if (confidence !== undefined) {
        if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) {
          throw inputError(file, lineNo, `${what}: "confidence" must be a number between 0 and 1`);
        }
        result.confidence = confidence;
      }
      if (assertion !== undefined) {
        const read = readAssertionJson(assertion);
        if (typeof read === 'string') throw inputError(file, lineNo, `${what}: ${read}`);
        result.assertion = read;
      }
      return result;
    });
    checkNoOverlaps(parsed, file, () => lineNo);
    documents.push({ id: documentId, text, entities: sortSpans(parsed) });
  });
  return documents;
}

/** One line per document, keys in a fixed order; `confidence` and `assertion` only when present. */
export function formatJsonl(documents: readonly { id: string; text: string; entities: readonly DocumentEntity[] }[]): string {
  return documents
    .map((d) =>
      JSON.stringify({
        id: d.id,
        text: d.text,
        entities: d.entities.map((e) =>
          ({
            start: e.start,
            end: e.end,
            label: e.label,
            ...(e.confidence === undefined ? {} : { confidence: e.confidence }),
            ...(e.assertion === undefined ? {} : { assertion: e.assertion }),
          }),
        ),
      }) + '\n',
    )
    .join('');
}
