// JSON Lines: one document per line, `{"id"?, "text", "entities": [{"start", "end", "label", "confidence"?, "assertion"?}]}`.
// Offsets are UTF-16 code units (JavaScript string indices), end exclusive. Blank lines are skipped.
import { inputError } from '../errors';
import type { AnnotatedDocument, Assertion, AssertionCue } from '../types';
import { checkNoOverlaps, sortSpans, type DocumentEntity } from './entities';

export interface JsonlDocument extends AnnotatedDocument {
  entities: DocumentEntity[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One JSONL line as an object; anything else is an error naming the line. */
export function parseJsonObject(line: string, file: string, lineNo: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw inputError(file, lineNo, `invalid JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw inputError(file, lineNo, 'expected a JSON object {"text": ..., "entities": [...]}');
  return value;
}

/** An entity's "start" and "end", checked against the text; `what` names the entity in errors ("entity 3"). */
export function entityOffsets(entity: Record<string, unknown>, text: string, file: string, lineNo: number, what: string): { start: number; end: number } {
  const { start, end } = entity;
  if (!Number.isInteger(start) || !Number.isInteger(end)) throw inputError(file, lineNo, `${what}: "start" and "end" must be integers`);
  const s = start as number;
  const e = end as number;
  if (s < 0 || e <= s) throw inputError(file, lineNo, `${what}: bad offsets ${s}-${e} (need 0 <= start < end)`);
  if (e > text.length) throw inputError(file, lineNo, `${what}: offset ${e} is past the end of the text (${text.length} characters)`);
  return { start: s, end: e };
}

/** Parses JSONL; documents without an "id" get `<line number>` as id. */
export function parseJsonl(content: string, file: string): JsonlDocument[] {
  const documents: JsonlDocument[] = [];
  const lines = content.split(/\r?\n/);
  const seenIds = new Map<string, number>();
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    const { id, text, entities } = parseJsonObject(line, file, lineNo);
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
      const { label, confidence, assertion } = entity;
      const { start: s, end: e } = entityOffsets(entity, text, file, lineNo, what);
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

// An entity's `assertion` object: `{"negation", "temporality", "experiencer", "triggers"?}`.
const VALUES = {
  negation: ['affirmed', 'negated', 'possible'],
  temporality: ['recent', 'historical', 'hypothetical'],
  experiencer: ['patient', 'other'],
} as const;

function readCue(value: unknown): AssertionCue | undefined {
  if (!isRecord(value)) return undefined;
  const { text, start, end, source } = value;
  if (typeof text !== 'string' || !Number.isInteger(start) || !Number.isInteger(end) || (source !== 'trigger' && source !== 'section')) return undefined;
  return { text, start: start as number, end: end as number, source };
}

/** The assertion a JSON value describes, or a message saying what is wrong with it. */
export function readAssertionJson(value: unknown): Assertion | string {
  if (!isRecord(value)) return '"assertion" must be an object {"negation", "temporality", "experiencer"}';
  const assertion: Assertion = { negation: 'affirmed', temporality: 'recent', experiencer: 'patient', triggers: {} };
  for (const property of Object.keys(VALUES) as (keyof typeof VALUES)[]) {
    const v = value[property];
    if (v === undefined) continue;
    if (!(VALUES[property] as readonly unknown[]).includes(v)) return `"assertion.${property}" must be one of ${VALUES[property].join(', ')}`;
    (assertion as unknown as Record<string, unknown>)[property] = v;
  }
  if (isRecord(value.triggers)) {
    for (const property of Object.keys(VALUES) as (keyof typeof VALUES)[]) {
      const cue = readCue(value.triggers[property]);
      if (cue) assertion.triggers[property] = cue;
    }
  }
  return assertion;
}
