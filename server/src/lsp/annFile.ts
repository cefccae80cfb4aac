// The sidecar BRAT standoff file of a document (notes/visit.txt -> notes/visit.ann) as the language server sees it.
// Parsing, code-point offsets, line-preserving edits and atomic writes are the formats/ code (brat.ts,
// atomicWrite.ts); this file adds what an editor needs: a tolerant read against the current (possibly unsaved)
// text, a cache by file stamp, and relabelling in place so attributes, notes and relations keep pointing at the id.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { writeFileAtomicSync } from '../formats/atomicWrite';
import { parseAnn, updateAnnFile, type BratEntity } from '../formats/brat';
import { BOM, readTextFile } from '../formats/inputText';
import type { Span } from '../types';

export type AnnEntity = BratEntity;

export function annPathFor(documentPath: string): string {
  return join(dirname(documentPath), basename(documentPath, extname(documentPath)) + '.ann');
}

/**
 * The .ann offsets of a document count from after a leading byte-order mark (formats/inputText.ts: BOM). VS Code
 * drops the mark; another client may send it: then the document's offsets are one more than the file's.
 */
function withoutBom(text: string): { body: string; skip: number } {
  return text.startsWith(BOM) ? { body: text.slice(BOM.length), skip: BOM.length } : { body: text, skip: 0 };
}

/**
 * The text-bound annotations of `content` that fit `text` (document offsets). A line that does not (malformed, or its
 * text no longer matches after unsaved edits) is left out instead of failing the whole file: the editor shows what
 * still holds.
 */
export function tolerantAnnotations(content: string, text: string, file: string): AnnEntity[] {
  const { body, skip } = withoutBom(text);
  const result: AnnEntity[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    if (!line.startsWith('T')) return;
    try {
      for (const entity of parseAnn(line, body, file, { allowOverlaps: true }).entities) {
        result.push({ ...entity, start: entity.start + skip, end: entity.end + skip, line: index + 1 });
      }
    } catch {
      // stale or malformed line: not shown
    }
  });
  return result;
}

/** Adds a T line (next free id) and writes the file atomically, creating it if needed. Returns the new id. */
export function addAnnotation(annPath: string, text: string, span: Span): string {
  const { body, skip } = withoutBom(text);
  return updateAnnFile(annPath, body, { add: [{ ...span, start: span.start - skip, end: span.end - skip }] }).addedIds[0];
}

/** Removes T `id`; lines that refer to it (notes, attributes, relations) are kept, as formats/brat.ts does. */
export function removeAnnotation(annPath: string, text: string, id: string): void {
  updateAnnFile(annPath, withoutBom(text).body, { removeIds: [id] });
}

/** Changes the label of T `id` in place (same id, offsets and mention; every other byte kept). */
export function relabelAnnotation(annPath: string, text: string, id: string, label: string): void {
  updateAnnFile(annPath, withoutBom(text).body, { relabel: new Map([[id, label]]) });
}

/** Creates an empty .ann (the file's annotations now exist, and leave everything out) unless there is one. */
export function ensureAnnFile(annPath: string): void {
  if (!existsSync(annPath)) writeFileAtomicSync(annPath, '');
}

/**
 * Sidecars are read on the server's thread while it answers: the bounded read (formats/boundedRead.ts) never waits
 * on a FIFO and never reads more than this (the .ann of a 1 MB document is a few hundred kB).
 */
const MAX_ANN_BYTES = 64 * 1024 * 1024;

/** .ann contents, re-read only when the file on disk changed (size or modification time). */
export class AnnFileCache {
  private readonly cache = new Map<string, { stamp: string; content: string }>();

  content(path: string): string | undefined {
    let stamp: string;
    try {
      const stat = statSync(path);
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      this.cache.delete(path);
      return undefined;
    }
    const hit = this.cache.get(path);
    if (hit && hit.stamp === stamp) return hit.content;
    try {
      const content = readTextFile(path, { maxBytes: MAX_ANN_BYTES });
      this.cache.set(path, { stamp, content });
      return content;
    } catch {
      return undefined; // binary, not UTF-8, too large, or not a regular file (a FIFO, /dev/zero): no sidecar
    }
  }

  forget(path: string): void {
    this.cache.delete(path);
  }
}
