// Finds the annotated documents of a workspace for fine-tuning and splits them into a training and a held-out part.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { textPathForSidecar } from '../../server/src/formats/sidecar';

/** One annotated file: BRAT (.ann + .txt beside it), CoNLL or JSONL. */
export interface AnnotatedFile {
  kind: 'brat' | 'conll' | 'jsonl';
  /** The annotation file (.ann, .conll, .jsonl). */
  file: string;
  /** The BRAT text file, for kind 'brat'. */
  text?: string;
}

/** The unit of the held-out split: a whole file, or one line (one document) of a JSONL file. */
export interface AnnotatedDoc {
  source: AnnotatedFile;
  /** 0-based line of the document, for JSONL files. */
  line?: number;
  /** Stable identity for the split. */
  key: string;
  /** Entities annotated in it (the held-out part is sized by entities, not documents). */
  entities: number;
}

/** Lists the documents of the files: one per BRAT pair or CoNLL file, one per non-blank JSONL line. */
export function documentsOf(files: AnnotatedFile[]): AnnotatedDoc[] {
  return files.flatMap((source): AnnotatedDoc[] => {
    const content = fs.readFileSync(source.file, 'utf8');
    if (source.kind === 'brat') return [{ source, key: source.file, entities: (content.match(/^T\d+\t/gm) ?? []).length }];
    // CoNLL: every entity starts with a B- tag (IOB2) or an I- after something else; counting B- is close enough here.
    if (source.kind === 'conll') return [{ source, key: source.file, entities: (content.match(/\b[BS]-\S+\s*$/gm) ?? []).length }];
    return content.split(/\r?\n/).flatMap((text, line) => (text.trim() ? [{ source, line, key: `${source.file}#${line}`, entities: jsonlEntities(text) }] : []));
  });
}

function jsonlEntities(line: string): number {
  try {
    const entities = (JSON.parse(line) as { entities?: unknown }).entities;
    return Array.isArray(entities) ? entities.length : 0;
  } catch {
    return 0; // bioner train reports the line
  }
}

/** Texts that are picked up through their sidecar .ann, never read as annotation files themselves. */
const TEXT_EXTENSIONS = ['.txt', '.note', '.md', '.text'];

/** First line of the .ann files `bioner tag` writes: model output, not a person's annotation (bulk/render.ts). */
const MODEL_OUTPUT_MARKER = '# bioner: written by "bioner tag"';

/**
 * Classifies the files a glob found. An .ann needs its text beside it; model outputs of `bioner tag` are not
 * annotations. Both kinds are returned in `skipped` with the reason.
 */
export function classifyAnnotatedFiles(files: string[]): {
  files: AnnotatedFile[];
  skipped: Array<{ file: string; reason: string }>;
} {
  const result: AnnotatedFile[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  for (const file of [...new Set(files)].sort()) {
    const ext = path.extname(file).toLowerCase();
    if (ext === '.ann') {
      // One sidecar per document (formats/sidecar.ts): a.ann belongs to a.txt, a.note.ann to a.note.
      const text = textPathForSidecar(file);
      if (!fs.existsSync(text)) {
        skipped.push({ file, reason: `no text beside it (${path.basename(text)})` });
      } else if (readStart(file, MODEL_OUTPUT_MARKER.length) === MODEL_OUTPUT_MARKER) {
        skipped.push({ file, reason: 'written by bioner tag (model output, not annotations)' });
      } else {
        result.push({ kind: 'brat', file, text });
      }
    } else if (ext === '.jsonl') {
      result.push({ kind: 'jsonl', file });
    } else if (!TEXT_EXTENSIONS.includes(ext)) {
      // A text is picked up through its .ann; a text alone has no annotations.
      result.push({ kind: 'conll', file });
    }
  }
  return { files: result, skipped };
}

function readStart(file: string, length: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = fs.readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Holds out documents holding about `fraction` of the entities (at least one document, and at least one left for
 * training), chosen in the order of a hash of the path so the same workspace always gets the same split and adding a
 * file does not reshuffle the others. A document without an entity count counts as one.
 */
export function splitHeldOut<T extends { key: string; entities?: number }>(docs: T[], fraction: number): { train: T[]; heldOut: T[] } {
  if (docs.length < 2) return { train: docs, heldOut: [] };
  const weight = (d: T) => d.entities ?? 1;
  const total = docs.reduce((n, d) => n + weight(d), 0);
  const ranked = [...docs].sort((a, b) => hash(a.key).localeCompare(hash(b.key)) || a.key.localeCompare(b.key));
  // In hash order, each document that keeps the held-out entities nearest the target (a large one may be skipped).
  const heldOut = new Set<T>();
  let held = 0;
  for (const doc of ranked) {
    if (heldOut.size === docs.length - 1) break;
    if (held + weight(doc) / 2 > fraction * total) continue;
    heldOut.add(doc);
    held += weight(doc);
  }
  if (heldOut.size === 0) heldOut.add(ranked.reduce((a, b) => (weight(b) < weight(a) ? b : a)));
  return { train: docs.filter((d) => !heldOut.has(d)), heldOut: docs.filter((d) => heldOut.has(d)) };
}

function hash(file: string): string {
  return createHash('sha1').update(file.replace(/\\/g, '/')).digest('hex');
}

/**
 * Copies a set of documents into `dir`, keeping their paths relative to `root`, so the CLI can read the training or
 * the held-out part as one folder. JSONL files get only the chosen lines. The user's files are only read.
 */
export function stageDocuments(docs: AnnotatedDoc[], root: string, dir: string): void {
  const jsonlLines = new Map<string, number[]>();
  for (const doc of docs) {
    if (doc.line !== undefined) {
      jsonlLines.set(doc.source.file, [...(jsonlLines.get(doc.source.file) ?? []), doc.line]);
      continue;
    }
    copyInto(doc.source.file, root, dir, fs.readFileSync(doc.source.file));
    // `bioner train` reads BRAT as .txt + .ann pairs, whatever the text was called in the workspace.
    if (doc.source.text) copyInto(doc.source.file, root, dir, fs.readFileSync(doc.source.text), '.txt');
  }
  for (const [file, lines] of jsonlLines) {
    const all = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    copyInto(file, root, dir, lines.map((l) => all[l]).join('\n') + '\n');
  }
}

/** Writes `content` at the place of `source` (relative to `root`) under `dir`, with `extension` instead of its own. */
function copyInto(source: string, root: string, dir: string, content: string | Buffer, extension?: string): void {
  const relative = path.relative(root, source);
  let target = path.join(dir, relative.startsWith('..') ? path.basename(source) : relative);
  if (extension) target = target.slice(0, -path.extname(target).length) + extension;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
}

/** The entity types annotated in the documents' files (BRAT T lines, JSONL entity labels, CoNLL tags), sorted. */
export function annotationTypes(docs: AnnotatedDoc[]): string[] {
  const types = new Set<string>();
  for (const file of new Set(docs.map((d) => d.source))) {
    const content = fs.readFileSync(file.file, 'utf8');
    if (file.kind === 'brat') for (const m of content.matchAll(/^T\d+\t(\S+) /gm)) types.add(m[1]);
    if (file.kind === 'conll') for (const m of content.matchAll(/\b[BIES]-(\S+)\s*$/gm)) types.add(m[1]);
    if (file.kind === 'jsonl') for (const m of content.matchAll(/"label"\s*:\s*"([^"]+)"/g)) types.add(m[1]);
  }
  return [...types].sort();
}

/** A workspace type the model does not know, with the model label proposed for it (undefined: a new label). */
export interface LabelChoice {
  type: string;
  proposed?: string;
}

/**
 * The types that need a decision before fine-tuning: those neither among the model's labels nor in the label map
 * already, each with the model label that matches it ignoring case (Disease -> DISEASE), if any.
 */
export function labelChoices(types: string[], modelLabels: string[], map: ReadonlyMap<string, string>): LabelChoice[] {
  return types
    .filter((t) => !modelLabels.includes(t) && !map.has(t))
    .map((type) => ({ type, proposed: modelLabels.find((l) => l.toLowerCase() === type.toLowerCase()) }));
}

/** `Chemical=DRUG,Disease=DISEASE`, the form of bioner.fineTune.labelMap and `bioner train --label-map`. */
export function formatLabelMap(map: ReadonlyMap<string, string>): string {
  return [...map].map(([from, to]) => `${from}=${to}`).join(',');
}
