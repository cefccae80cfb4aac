// The four output formats of `bioner tag`, each rendering one tagged document to a string:
//   jsonl   {"file","id"?,"line"?,"entities":[{"start","end","label","text","confidence"}]}  (one line)
//   inline  the text with each entity marked in place: "[cystic fibrosis/DISEASE]"
//   conll   token<TAB>IOB2-tag lines, a blank line after each sentence
//   brat    standoff .ann lines "T1<TAB>LABEL start end<TAB>text"
// Offsets are UTF-16 offsets into the document text, end exclusive (as everywhere in BioNER).
import type { EntityPrediction, Sentence } from '../types';

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

/** First line of every .ann file bioner writes; an .ann without it belongs to a person and is never overwritten. */
export const BRAT_MARKER = '# bioner: written by "bioner tag"; a new run may overwrite this file';

export function renderDocument(format: OutputFormat, doc: TaggedDocument): string {
  switch (format) {
    case 'jsonl':
      return renderJsonl(doc);
    case 'inline':
      return renderInline(doc);
    case 'conll':
      return renderConll(doc);
    case 'brat':
      return renderBrat(doc);
  }
}

export function renderJsonl(doc: TaggedDocument): string {
  const entities = doc.entities.map((e) => ({ start: e.start, end: e.end, label: e.label, text: e.text, confidence: round(e.confidence) }));
  const head = doc.id !== undefined || doc.line !== undefined ? { file: doc.file, id: doc.id, line: doc.line } : { file: doc.file };
  return `${JSON.stringify({ ...head, entities })}\n`;
}

/** The text with "[span/LABEL]" marks; an entity overlapping an earlier one is left unmarked. */
export function renderInline(doc: TaggedDocument): string {
  let out = '';
  let at = 0;
  for (const e of doc.entities) {
    if (e.start < at) continue;
    out += `${doc.text.slice(at, e.start)}[${doc.text.slice(e.start, e.end)}/${e.label}]`;
    at = e.end;
  }
  out += doc.text.slice(at);
  return out.endsWith('\n') ? out : `${out}\n`;
}

/** token<TAB>tag per line, IOB2: a token overlapping an entity is inside it, the first such token begins it. */
export function renderConll(doc: TaggedDocument): string {
  const lines: string[] = [];
  let next = 0; // entities are sorted: the first one that may still overlap the current token
  for (const sentence of doc.sentences) {
    let previous: EntityPrediction | undefined;
    for (const token of sentence.tokens) {
      while (next < doc.entities.length && doc.entities[next].end <= token.start) next++;
      const entity = next < doc.entities.length && doc.entities[next].start < token.end ? doc.entities[next] : undefined;
      const tag = entity ? `${entity === previous ? 'I' : 'B'}-${entity.label}` : 'O';
      previous = entity;
      lines.push(`${token.text.replace(/\s/g, '_')}\t${tag}`);
    }
    lines.push('');
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** .ann lines; an entity that crosses a line break becomes a discontinuous span, as BRAT requires. */
export function renderBrat(doc: TaggedDocument, firstId = 1): string {
  return doc.entities
    .map((e, i) => {
      const fragments: string[] = [];
      let start = e.start;
      const text = doc.text.slice(e.start, e.end);
      for (const m of text.matchAll(/\r?\n/g)) {
        if (m.index! > start - e.start) fragments.push(`${start} ${e.start + m.index!}`);
        start = e.start + m.index! + m[0].length;
      }
      if (start < e.end) fragments.push(`${start} ${e.end}`);
      return `T${firstId + i}\t${e.label} ${fragments.join(';')}\t${text.replace(/\r?\n/g, ' ')}\n`;
    })
    .join('');
}

function round(p: number): number {
  return Math.round(p * 1e4) / 1e4;
}
