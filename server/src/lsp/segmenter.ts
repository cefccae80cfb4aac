import { LRUCache } from 'lru-cache';
import { tokenize } from '../text/tokenizer';

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

  /** Sentence ranges (document offsets) of the paragraphs overlapping [from, to), in order. */
  sentences(text: string, languageId: string, from = 0, to = text.length): TextRange[] {
    const result: TextRange[] = [];
    for (const p of paragraphs(text, languageId, from, to)) {
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

/** How far past `to` a paragraph is followed before it is cut (huge files without blank lines). */
const MAX_OVERRUN = 20_000;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Paragraphs overlapping [from, to): maximal runs of non-blank lines, leaving out markdown fenced code blocks.
 * Scanning starts at `from` (fences opened before it are not seen), which is what range tagging of huge files wants.
 */
export function paragraphs(text: string, languageId: string, from = 0, to = text.length): TextRange[] {
  const markdown = languageId === 'markdown';
  const result: TextRange[] = [];
  let paragraphStart = -1;
  let paragraphEnd = -1;
  let fence: string | undefined;
  const close = (): void => {
    if (paragraphStart >= 0) result.push({ start: paragraphStart, end: paragraphEnd });
    paragraphStart = -1;
  };
  for (let lineStart = from; lineStart < text.length; ) {
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
