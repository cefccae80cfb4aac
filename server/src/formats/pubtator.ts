// PubTator (read only): `PMID|t|title`, `PMID|a|abstract`, then `PMID<TAB>start<TAB>end<TAB>mention<TAB>type<TAB>id`
// lines, a blank line between documents. Offsets count into `title + " " + abstract` (the BC5CDR / NCBI convention).
// Relation lines (`PMID<TAB>CID<TAB>...`) are ignored.
import { inputError } from '../errors';
import type { AnnotatedDocument } from '../types';

const TITLE_OR_ABSTRACT = /^([^|\t]+)\|([ta])\|(.*)$/;

/** True if `content` looks like PubTator (its first non-blank line is `ID|t|...` or `ID|a|...`). */
export function looksLikePubtator(content: string): boolean {
  const first = content.split(/\r?\n/, 20).find((l) => l.trim() !== '');
  return first !== undefined && TITLE_OR_ABSTRACT.test(first);
}

export function parsePubtator(content: string, file: string): AnnotatedDocument[] {
  const documents: AnnotatedDocument[] = [];
  let current: { doc: AnnotatedDocument; title?: string; abstract?: string } | undefined;
  const textOf = (c: NonNullable<typeof current>): string => [c.title, c.abstract].filter((p) => p !== undefined).join(' ');
  const finish = (): void => {
    if (current) documents.push({ ...current.doc, text: textOf(current) });
    current = undefined;
  };
  const lines = content.split(/\r?\n/);
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return finish();
    const header = TITLE_OR_ABSTRACT.exec(line);
    if (header) {
      const [, id, part, body] = header;
      if (current && current.doc.id !== id) finish();
      current ??= { doc: { id, text: '', entities: [] } };
      if (part === 't') current.title = body;
      else current.abstract = body;
      return;
    }
    const cols = line.split('\t');
    if (!current) throw inputError(file, lineNo, 'annotation line before any "ID|t|title" line');
    if (cols[0] !== current.doc.id) throw inputError(file, lineNo, `document id "${cols[0]}" does not match "${current.doc.id}"`);
    if (cols.length >= 4 && !/^\d+$/.test(cols[1])) return; // a relation line such as `PMID CID D1 D2`
    if (cols.length < 5) throw inputError(file, lineNo, `expected "ID<TAB>start<TAB>end<TAB>mention<TAB>type", got ${cols.length} columns`);
    const start = Number(cols[1]);
    const end = Number(cols[2]);
    const text = textOf(current);
    if (!/^\d+$/.test(cols[2]) || end <= start) throw inputError(file, lineNo, `bad offsets ${cols[1]} ${cols[2]}`);
    if (end > text.length) throw inputError(file, lineNo, `offset ${end} is past the end of the text (${text.length} characters)`);
    if (text.slice(start, end) !== cols[3]) {
      throw inputError(file, lineNo, `mention "${cols[3]}" does not match the text at ${start}-${end} ("${text.slice(start, end)}")`);
    }
    current.doc.entities.push({ start, end, label: cols[4] });
  });
  finish();
  return documents;
}
