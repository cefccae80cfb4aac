// The sidecar BRAT standoff file of a document (notes/visit.txt -> notes/visit.ann) as the language server sees it.
// Parsing, code-point offsets, line-preserving edits and atomic writes are the formats/ code (brat.ts,
// atomicWrite.ts); this file adds what an editor needs: a tolerant read against the current (possibly unsaved)
// text, a cache by file stamp, and relabelling in place so attributes, notes and relations keep pointing at the id.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { CodePointOffsets, parseAnn, rewriteAnnFile, updateAnnFile, type BratEntity } from '../formats/brat';
import { BOM, readTextFileAsync } from '../formats/inputText';
import { formatNotEntityLine, PARTIAL_HEADER, parseReview, setReviewState, type ReviewRecord } from '../formats/review';
import { sidecarPathFor } from '../formats/sidecar';
import type { Span } from '../types';

export type AnnEntity = BratEntity;

/** notes/visit.txt -> notes/visit.ann, notes/visit.note -> notes/visit.note.ann (formats/sidecar.ts). */
export const annPathFor = sidecarPathFor;

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

/**
 * Creates the sidecar the editor starts for a document, unless there is one: a partial review (formats/review.ts), so
 * the text nobody has looked at yet is neither "no entity" for training nor a disagreement in the Problems panel.
 */
export function startSidecar(annPath: string): void {
  if (!existsSync(annPath)) writeFileAtomicSync(annPath, `${PARTIAL_HEADER}\n`);
}

/** What the user reviewed in a sidecar, against the current text (stale "not an entity" lines are left out). */
export interface SidecarReview {
  complete: boolean;
  /** Spans marked "not an entity", in document offsets. */
  notEntities: Array<{ start: number; end: number }>;
}

export function tolerantReview(content: string, text: string): SidecarReview {
  const { body, skip } = withoutBom(text);
  let record: ReviewRecord;
  try {
    record = parseReview(content, () => {
      throw new Error('malformed');
    });
  } catch {
    // A malformed review line: nothing is assumed reviewed beyond the entities.
    return { complete: false, notEntities: [] };
  }
  const offsets = new CodePointOffsets(body);
  const notEntities = record.notEntities.flatMap((n) => {
    if (n.end > offsets.length) return [];
    const start = offsets.toUtf16(n.start);
    const end = offsets.toUtf16(n.end);
    return body.slice(start, end).replace(/\s/g, ' ') === n.mention.replace(/\s/g, ' ') ? [{ start: start + skip, end: end + skip }] : [];
  });
  return { complete: record.complete, notEntities };
}

/** Records that [start, end) of the text is no entity (a `# bioner-not-entity:` line), starting the sidecar if needed. */
export function addNotEntity(annPath: string, text: string, span: { start: number; end: number }): void {
  startSidecar(annPath);
  const { body, skip } = withoutBom(text);
  const offsets = new CodePointOffsets(body);
  const start = span.start - skip;
  const end = span.end - skip;
  const line = formatNotEntityLine(offsets.toCodePoint(start), offsets.toCodePoint(end), body.slice(start, end));
  rewriteAnnFile(annPath, (content) => {
    if (content.split(/\r?\n/).includes(line)) return content;
    const newline = content.includes('\r\n') ? '\r\n' : '\n';
    return content + (content === '' || content.endsWith('\n') ? '' : newline) + line + newline;
  });
}

/** Marks the whole document as reviewed (every entity is in the sidecar), or back to a partial review. */
export function markReviewed(annPath: string, complete: boolean): void {
  startSidecar(annPath);
  rewriteAnnFile(annPath, (content) => setReviewState(content, complete));
}

/**
 * Sidecars are read off the server's thread (formats/boundedRead.ts: readFileBounded): a sidecar on a slow or hung
 * disk delays only the requests of its own document. The read never waits on a FIFO and never reads more than this
 * (the .ann of a 1 MB document is a few hundred kB).
 */
const MAX_ANN_BYTES = 64 * 1024 * 1024;

/**
 * .ann contents, re-read only when the file on disk changed (its stamp: size, times, inode) or a watcher said so
 * (forget). One read per path and stamp at a time: every request of a document whose sidecar is slow waits for the
 * same read.
 */
export class AnnFileCache {
  private readonly cache = new Map<string, { stamp: string; content: Promise<string | undefined> }>();

  async content(path: string): Promise<string | undefined> {
    let stamp: string;
    try {
      const s = await stat(path);
      stamp = `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;
    } catch {
      this.cache.delete(path);
      return undefined;
    }
    const hit = this.cache.get(path);
    if (hit && hit.stamp === stamp) return hit.content;
    // binary, not UTF-8, too large, or not a regular file (a FIFO, /dev/zero): no sidecar
    const content = readTextFileAsync(path, { maxBytes: MAX_ANN_BYTES }).catch(() => undefined);
    this.cache.set(path, { stamp, content });
    return content;
  }

  forget(path: string): void {
    this.cache.delete(path);
  }
}
