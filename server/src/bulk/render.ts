// The four output formats of `bioner tag`, each rendering one tagged document to a string:
//   jsonl   {"file","id"?,"line"?,"entities":[{"start","end","label","text","confidence","variant"?,"expansion"?,
//           "assertion"?}]}  (one line; "variant": a VARIANT's normalised form, e.g. {"type":"deletion","sequence":"p",
//           "position":508,"wildtype":"F"}; "expansion": what clinical shorthand stands for, e.g. "hypertension" for
//           "HTN"; "assertion": the clinical context, e.g. {"negation":"negated",...})
//   inline  the text with each entity marked in place: "[cystic fibrosis/DISEASE]", "[chest pain/DISEASE negated]"
//   conll   token<TAB>IOB2-tag lines, a blank line after each sentence
//   brat    standoff .ann lines "T1<TAB>LABEL start end<TAB>text" (code-point offsets, as brat counts), and
//           "A1<TAB>Negated T1" attribute lines for the assertion (formats/bratAttributes.ts)
// The CoNLL and BRAT text comes from server/src/formats, so `bioner train`/`eval` read it back. JSONL and inline
// offsets are UTF-16 offsets into the document text, end exclusive (as everywhere in BioNER).
import { formatAnn } from '../formats/brat';
import { formatConll } from '../formats/conll';
import { spansToTags } from '../formats/tagSchemes';
import { assertionMarks } from '../tagging/assertion';
import type { EntityPrediction, Sentence, Span, TaggedSentence } from '../types';

export type OutputFormat = 'jsonl' | 'inline' | 'conll' | 'brat';
export const OUTPUT_FORMATS: OutputFormat[] = ['jsonl', 'inline', 'conll', 'brat'];

export interface TaggedDocument {
  /** Input path relative to the input root ("-" for stdin). */
  file: string;
  id?: string | number;
  line?: number;
  text: string;
  sentences: Sentence[];
  /** Sorted by start, offsets into `text`. */
  entities: EntityPrediction[];
}

/** `docstart`: CoNLL only, the id of a `-DOCSTART- (id)` line before the document. */
export function renderDocument(format: OutputFormat, doc: TaggedDocument, docstart?: string): string {
  switch (format) {
    case 'jsonl':
      return renderJsonl(doc);
    case 'inline':
      return renderInline(doc);
    case 'conll':
      return renderConll(doc, docstart);
    case 'brat':
      return renderBrat(doc);
  }
}

export function renderJsonl(doc: TaggedDocument): string {
  const entities = doc.entities.map((e) => ({
    start: e.start,
    end: e.end,
    label: e.label,
    text: e.text,
    confidence: round(e.confidence),
    ...(e.variant ? { variant: e.variant } : {}),
    ...(e.expansion !== undefined ? { expansion: e.expansion } : {}),
    ...(e.assertion ? { assertion: e.assertion } : {}),
  }));
  const head = doc.id !== undefined || doc.line !== undefined ? { file: doc.file, id: doc.id, line: doc.line } : { file: doc.file };
  return `${JSON.stringify({ ...head, entities })}\n`;
}

/**
 * The text with "[span/LABEL]" marks, and the assertion's values that are not the defaults after the label
 * ("[chest pain/DISEASE negated]"); an entity overlapping an earlier one is left unmarked.
 */
export function renderInline(doc: TaggedDocument): string {
  let out = '';
  let at = 0;
  for (const e of doc.entities) {
    if (e.start < at) continue;
    const marks = assertionMarks(e.assertion);
    out += `${doc.text.slice(at, e.start)}[${doc.text.slice(e.start, e.end)}/${e.label}${marks.length ? ` ${marks.join(' ')}` : ''}]`;
    at = e.end;
  }
  out += doc.text.slice(at);
  return out.endsWith('\n') ? out : `${out}\n`;
}

/**
 * token<TAB>IOB2-tag lines (formats/conll), a blank line between sentences. A token that an entity touches is inside
 * it. `docstart` introduces the document with `-DOCSTART- (id)` when several documents share one output.
 */
export function renderConll(doc: TaggedDocument, docstart?: string): string {
  const sentences: TaggedSentence[] = [];
  let next = 0; // entities are sorted: the first one that may still reach the current token
  for (const sentence of doc.sentences) {
    const spans: Span[] = [];
    let openEntity: EntityPrediction | undefined; // the entity of the last span, while it may still grow
    sentence.tokens.forEach((token, i) => {
      while (next < doc.entities.length && doc.entities[next].end <= token.start) next++;
      const entity = doc.entities[next];
      if (!entity || entity.start >= token.end) {
        openEntity = undefined;
      } else if (entity === openEntity) {
        spans[spans.length - 1].end = i + 1;
      } else {
        spans.push({ start: i, end: i + 1, label: entity.label });
        openEntity = entity;
      }
    });
    sentences.push({ tokens: sentence.tokens.map((t) => t.text), tags: spansToTags(spans, sentence.tokens.length) });
  }
  const text = formatConll([{ id: docstart ?? doc.file, sentences }], { docstart: docstart !== undefined });
  return text && !text.endsWith('\n\n') ? `${text}\n` : text;
}

/** .ann lines (formats/brat: brat counts offsets in code points). */
export function renderBrat(doc: TaggedDocument): string {
  return formatAnn(doc.text, doc.entities);
}

function round(p: number): number {
  return Math.round(p * 1e4) / 1e4;
}
