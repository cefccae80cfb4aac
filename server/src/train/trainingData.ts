// Reads labelled training/dev data as token-level IOB2 sentences from a file or a directory in any supported
// format: CoNLL columns (read on their own tokens), BRAT .txt/.ann pairs and JSONL documents (tokenised with the
// tagger's tokenizer, entity character spans mapped to the tokens they cover). A directory may mix formats
// (the extension stages a workspace's .ann, .conll and .jsonl files into one folder).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { UserError } from '../errors';
import { readBrat } from '../formats/brat';
import { parseConll } from '../formats/conll';
import { readTextFile } from '../formats/inputText';
import { parseJsonl } from '../formats/jsonl';
import { spansToTags } from '../formats/tagSchemes';
import type { FormatWarning } from '../formats/warnings';
import { tokenize } from '../text/tokenizer';
import type { AnnotatedDocument, TaggedSentence } from '../types';

export type DataFormat = 'conll' | 'brat' | 'jsonl';
export const DATA_FORMATS: readonly DataFormat[] = ['conll', 'brat', 'jsonl'];

export interface LabelledData {
  sentences: TaggedSentence[];
  warnings: FormatWarning[];
  files: string[];
}

const CONLL_EXTENSIONS = new Set(['.conll', '.conllu', '.tsv', '.iob', '.iob2', '.bio', '.bioes', '.ner']);

/** Reads FILE|DIR; `format` forces one format for every file, otherwise it is chosen per file by extension. */
export function readLabelledData(path: string, format?: DataFormat): LabelledData {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`);
  const out: LabelledData = { sentences: [], warnings: [], files: [] };
  if (!statSync(path).isDirectory()) {
    readFile(path, format ?? formatOfFile(path), out);
  } else if (format === 'brat') {
    readBratInto(path, out);
  } else {
    const files = (readdirSync(path, { recursive: true }) as string[]).map((f) => join(path, f)).filter((f) => statSync(f).isFile()).sort();
    let hasBrat = false;
    for (const file of files) {
      const ext = extname(file).toLowerCase();
      if (ext === '.ann' || (ext === '.txt' && existsSync(file.slice(0, -4) + '.ann'))) {
        hasBrat = true;
        continue;
      }
      const fileFormat = format ?? (ext === '.jsonl' ? 'jsonl' : CONLL_EXTENSIONS.has(ext) ? 'conll' : undefined);
      if (fileFormat) readFile(file, fileFormat, out);
    }
    if (hasBrat) readBratInto(path, out, true);
  }
  if (out.sentences.length === 0) throw new UserError(`${path}: no labelled sentences found (formats: conll, brat, jsonl)`);
  return out;
}

function formatOfFile(file: string): DataFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl') return 'jsonl';
  if (ext === '.ann' || ext === '.txt') return 'brat';
  return 'conll';
}

function readFile(file: string, format: DataFormat, out: LabelledData): void {
  out.files.push(file);
  if (format === 'conll') {
    const result = parseConll(readTextFile(file), file);
    out.warnings.push(...result.warnings);
    for (const d of result.documents) for (const s of d.sentences) out.sentences.push({ tokens: s.tokens, tags: s.tags });
  } else if (format === 'jsonl') {
    for (const doc of parseJsonl(readTextFile(file), file)) addDocument(doc, file, out);
  } else {
    readBratInto(file, out);
  }
}

/** BRAT pairs under `path`; with onlyAnnotated, .txt files without a .ann are left out (they are not data). */
function readBratInto(path: string, out: LabelledData, onlyAnnotated = false): void {
  const result = readBrat(path);
  for (const doc of result.documents) {
    const txt = statSync(path).isDirectory() ? join(path, `${doc.id}.txt`) : path.replace(/\.(ann|txt)$/, '.txt');
    if (onlyAnnotated && !existsSync(txt.slice(0, -4) + '.ann')) continue;
    out.files.push(txt);
    addDocument(doc, txt, out);
  }
  out.warnings.push(...result.warnings.filter((w) => !(onlyAnnotated && /no \.ann file/.test(w.message))));
}

/**
 * Tokenises a document and tags its tokens: an entity covers every token it overlaps. An entity whose edges fall
 * inside a token is widened to whole tokens (with a warning); one that overlaps an earlier entity's tokens is skipped.
 */
export function documentToSentences(doc: AnnotatedDocument, file: string, warnings: FormatWarning[] = []): TaggedSentence[] {
  const sentences = tokenize(doc.text);
  const entities = [...doc.entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const perSentence = sentences.map(() => [] as Array<{ start: number; end: number; label: string }>);
  let taken = -1; // last sentence/token claimed, as a global token index
  const globalIndex: Array<{ s: number; t: number }> = [];
  sentences.forEach((s, si) => s.tokens.forEach((_, ti) => globalIndex.push({ s: si, t: ti })));
  const flat = sentences.flatMap((s) => s.tokens);
  let cursor = 0;
  for (const e of entities) {
    while (cursor < flat.length && flat[cursor].end <= e.start) cursor++;
    let last = cursor;
    while (last < flat.length && flat[last].start < e.end) last++;
    if (last === cursor) {
      warnings.push({ file, message: `${doc.id}: entity ${e.start}-${e.end} "${doc.text.slice(e.start, e.end)}" covers no token; skipped` });
      continue;
    }
    if (cursor <= taken) {
      warnings.push({ file, message: `${doc.id}: entity ${e.start}-${e.end} overlaps another entity's tokens; skipped` });
      continue;
    }
    const first = globalIndex[cursor];
    const end = globalIndex[last - 1];
    if (first.s !== end.s) {
      warnings.push({ file, message: `${doc.id}: entity ${e.start}-${e.end} crosses a sentence boundary; kept in its first sentence` });
    }
    if (flat[cursor].start !== e.start || flat[last - 1].end !== e.end) {
      warnings.push({ file, message: `${doc.id}: entity ${e.start}-${e.end} "${doc.text.slice(e.start, e.end)}" does not fall on token boundaries; widened to whole tokens` });
    }
    const lastInSentence = first.s === end.s ? end.t : sentences[first.s].tokens.length - 1;
    perSentence[first.s].push({ start: first.t, end: lastInSentence + 1, label: e.label });
    taken = last - 1;
  }
  return sentences.map((s, i) => ({ tokens: s.tokens.map((t) => t.text), tags: spansToTags(perSentence[i], s.tokens.length, 'iob2') }));
}

function addDocument(doc: AnnotatedDocument, file: string, out: LabelledData): void {
  out.sentences.push(...documentToSentences(doc, file, out.warnings).filter((s) => s.tokens.length > 0));
}
