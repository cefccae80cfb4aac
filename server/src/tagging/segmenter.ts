// The one segmenter: every path that tags a document (language server, `bioner tag`, bulk tagging, `bioner eval` of
// documents) splits it into the sentences the model tags here. A document is cut into paragraphs (runs of non-blank
// lines; in Markdown, fenced code blocks are left out) and each paragraph is tokenized (text/tokenizer.ts).
import { extname } from 'node:path';
import { LRUCache } from 'lru-cache';
import { tokenize } from '../text/tokenizer';
import type { Sentence } from '../types';

/** A character range [start, end) of a document. */
export interface TextRange {
  start: number;
  end: number;
}

/**
 * Splits a document into the sentences the model tags. Paragraphs (runs of non-blank lines) are tokenized
 * separately and their sentence ranges cached by paragraph text, so an edit re-tokenizes one paragraph only.
 * In markdown, fenced code blocks are not tagged.
 */
export class Segmenter {
  /** Bounded by entries and by characters of the keys (a paragraph can be a whole huge file). */
  private readonly paragraphCache = new LRUCache<string, TextRange[]>({
    max: 20_000,
    maxSize: 16_000_000,
    sizeCalculation: (ranges, paragraph) => paragraph.length + 16 * ranges.length + 1,
  });

  /**
   * Sentence ranges (document offsets) of the paragraphs overlapping [from, to), in order. Lines are read from
   * `scanFrom` (a paragraph start at or before `from`; 0 to know every markdown fence before the range).
   */
  sentences(text: string, languageId: string, from = 0, to = text.length, scanFrom = from): TextRange[] {
    const result: TextRange[] = [];
    for (const p of paragraphs(text, languageId, from, to, scanFrom)) {
      const paragraph = text.slice(p.start, p.end);
      let relative = this.paragraphCache.get(paragraph);
      if (!relative) {
        relative = tokenize(paragraph).map((s) => ({ start: s.start, end: s.end }));
        this.paragraphCache.set(paragraph, relative);
      }
      for (const s of relative) result.push({ start: p.start + s.start, end: p.start + s.end });
    }
    return result;
  }
}

/**
 * The sentences (with their tokens, document offsets) of a whole document, as the model tags them. `languageId` is
 * the editor's language id, or languageOfFile() of a file name: 'markdown' leaves fenced code blocks out.
 */
export function segment(text: string, languageId = 'plaintext'): Sentence[] {
  const result: Sentence[] = [];
  for (const p of paragraphs(text, languageId)) {
    for (const s of tokenize(text.slice(p.start, p.end))) {
      result.push({
        start: p.start + s.start,
        end: p.start + s.end,
        tokens: s.tokens.map((t) => ({ text: t.text, start: p.start + t.start, end: p.start + t.end })),
      });
    }
  }
  return result;
}

/** The language id the editor gives a file of this name (package.json's languages), for segment(). */
export function languageOfFile(path: string): string {
  switch (extname(path).toLowerCase()) {
    case '.md':
    case '.markdown':
      return 'markdown';
    case '.note':
      return 'clinical-note';
    default:
      return 'plaintext';
  }
}

/** How far past `to` a paragraph is followed before it is cut (huge files without blank lines). */
const MAX_OVERRUN = 20_000;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Paragraphs overlapping [from, to): maximal runs of non-blank lines, leaving out markdown fenced code blocks.
 * Scanning starts at `scanFrom` (default `from`; fences opened before it are not seen, which range tagging of huge
 * files accepts).
 */
export function paragraphs(text: string, languageId: string, from = 0, to = text.length, scanFrom = from): TextRange[] {
  const markdown = languageId === 'markdown';
  const result: TextRange[] = [];
  let paragraphStart = -1;
  let paragraphEnd = -1;
  let fence: string | undefined;
  const close = (): void => {
    if (paragraphStart >= 0) result.push({ start: paragraphStart, end: paragraphEnd });
    paragraphStart = -1;
  };
  for (let lineStart = scanFrom; lineStart < text.length; ) {
    // Range tagging of a huge file must not read to its end looking for a blank line.
    if (lineStart >= to + MAX_OVERRUN) break;
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const contentEnd = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    const line = text.slice(lineStart, contentEnd);
    if (markdown && (fence || FENCE.test(line))) {
      const marker = FENCE.exec(line)?.[1];
      if (!fence && marker) {
        close();
        fence = marker;
      } else if (fence && marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) {
        fence = undefined;
      }
    } else if (line.trim() === '') {
      close();
      if (lineStart >= to) break;
    } else {
      if (paragraphStart < 0) paragraphStart = lineStart;
      paragraphEnd = contentEnd;
    }
    lineStart = lineEnd + 1;
  }
  close();
  return result.filter((p) => p.end > from && p.start < to);
}

/** How far from an edit a blank line (paragraph boundary) is looked for before re-segmenting everything. */
const BOUNDARY_SEARCH = 20_000;

/** Whether the line starting at `lineStart` holds only spaces, tabs or a CR (a paragraph boundary). */
function blankLineAt(text: string, lineStart: number): boolean {
  for (let i = lineStart; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * The part of `next` to re-segment after an edit of `previous`: from the start of the paragraph where the texts
 * begin to differ to the first blank line after the point where they agree again. Paragraphs before `start` are
 * unchanged; those from `previousEnd` in `previous` are the same as those from `nextEnd` in `next` (shifted by
 * nextEnd - previousEnd). Undefined when no blank line is near enough on either side, or for markdown (a fence
 * opened or closed by the edit changes everything after it): then the whole text is segmented again.
 */
export function changedRegion(
  previous: string,
  next: string,
  languageId: string,
): { start: number; previousEnd: number; nextEnd: number } | undefined {
  if (languageId === 'markdown') return undefined;
  const shorter = Math.min(previous.length, next.length);
  // Whole chunks first (string comparison of slices is a memory compare), then character by character.
  const CHUNK = 2048;
  let prefix = 0;
  while (prefix + CHUNK <= shorter && previous.slice(prefix, prefix + CHUNK) === next.slice(prefix, prefix + CHUNK)) prefix += CHUNK;
  while (prefix < shorter && previous.charCodeAt(prefix) === next.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const room = shorter - prefix;
  while (
    suffix + CHUNK <= room &&
    previous.slice(previous.length - suffix - CHUNK, previous.length - suffix) === next.slice(next.length - suffix - CHUNK, next.length - suffix)
  ) {
    suffix += CHUNK;
  }
  while (suffix < room && previous.charCodeAt(previous.length - 1 - suffix) === next.charCodeAt(next.length - 1 - suffix)) suffix++;

  // Start: the line after the nearest blank line that ends before the first difference (or the text start).
  let start = -1;
  for (let i = prefix - 1; i >= Math.max(0, prefix - BOUNDARY_SEARCH); i--) {
    if (next.charCodeAt(i) !== 10) continue;
    const lineStart = next.lastIndexOf('\n', i - 1) + 1;
    if (blankLineAt(next, lineStart)) {
      start = i + 1;
      break;
    }
  }
  if (start < 0) {
    if (prefix > BOUNDARY_SEARCH) return undefined;
    start = 0;
  }
  // End: a blank line lying wholly in the common suffix (its newline before it included).
  const agreeFrom = next.length - suffix;
  for (let i = next.indexOf('\n', agreeFrom); i >= 0 && i < agreeFrom + BOUNDARY_SEARCH; i = next.indexOf('\n', i + 1)) {
    if (blankLineAt(next, i + 1)) {
      const nextEnd = i + 1;
      return { start, nextEnd, previousEnd: nextEnd - (next.length - previous.length) };
    }
  }
  if (next.length - agreeFrom <= BOUNDARY_SEARCH) return { start, nextEnd: next.length, previousEnd: previous.length };
  return undefined;
}
