// Finds the annotated documents of a workspace for fine-tuning and splits them into a training and a held-out part.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
}

/** Lists the documents of the files: one per BRAT pair or CoNLL file, one per non-blank JSONL line. */
export function documentsOf(files: AnnotatedFile[]): AnnotatedDoc[] {
  return files.flatMap((source): AnnotatedDoc[] => {
    if (source.kind !== 'jsonl') return [{ source, key: source.file }];
    const lines = fs.readFileSync(source.file, 'utf8').split(/\r?\n/);
    return lines.flatMap((text, line) => (text.trim() ? [{ source, line, key: `${source.file}#${line}` }] : []));
  });
}

/** Classifies the files a glob found; `.ann` files without their `.txt` are returned in `skipped`. */
export function classifyAnnotatedFiles(files: string[]): { files: AnnotatedFile[]; skipped: string[] } {
  const result: AnnotatedFile[] = [];
  const skipped: string[] = [];
  for (const file of [...new Set(files)].sort()) {
    const ext = path.extname(file).toLowerCase();
    if (ext === '.ann') {
      const text = file.slice(0, -ext.length) + '.txt';
      if (fs.existsSync(text)) result.push({ kind: 'brat', file, text });
      else skipped.push(file);
    } else if (ext === '.jsonl') {
      result.push({ kind: 'jsonl', file });
    } else if (ext === '.txt') {
      // A BRAT text is picked up through its .ann; a .txt alone has no annotations.
    } else {
      result.push({ kind: 'conll', file });
    }
  }
  return { files: result, skipped };
}

/**
 * Holds out `fraction` of the files (at least one, and at least one left for training), chosen by a hash of the
 * path so the same workspace always gets the same split and adding a file does not reshuffle the others.
 */
export function splitHeldOut<T extends { key: string }>(docs: T[], fraction: number): { train: T[]; heldOut: T[] } {
  if (docs.length < 2) return { train: docs, heldOut: [] };
  const count = Math.min(docs.length - 1, Math.max(1, Math.round(docs.length * fraction)));
  const ranked = [...docs].sort((a, b) => hash(a.key).localeCompare(hash(b.key)) || a.key.localeCompare(b.key));
  const heldOut = new Set(ranked.slice(0, count));
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
    for (const source of [doc.source.file, doc.source.text].filter((s): s is string => !!s)) {
      copyInto(source, root, dir, fs.readFileSync(source));
    }
  }
  for (const [file, lines] of jsonlLines) {
    const all = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    copyInto(file, root, dir, lines.map((l) => all[l]).join('\n') + '\n');
  }
}

function copyInto(source: string, root: string, dir: string, content: string | Buffer): void {
  const relative = path.relative(root, source);
  const target = path.join(dir, relative.startsWith('..') ? path.basename(source) : relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
}
