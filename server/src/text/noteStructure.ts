// The structure of a note that sentence splitting follows besides punctuation: a section heading starts a sentence,
// a heading alone on its line ends one ("MEDICATIONS:" is not part of the first medication), and every numbered or
// bulleted list item starts one (lists are often written without periods), and so does a capitalised line right
// after an item that is not indented under it. De-identification placeholders are never cut. Wrapped lines are
// otherwise joined: a line break alone ends no sentence.
import type { Token } from '../types';
import { findPlaceholders } from './placeholders';
import { findSections } from './sections';

/** A list item's marker at a line start: "1." "2)" "(3)" "a)" "-" "*" "•" "#2", followed by a space. */
const LIST_ITEM = /^[ \t]*(?:[-*•‣▪◦–]|\(?\d{1,3}[.)]|\(?[a-z]\)|#\d{0,3}[.)]?)[ \t]+(?=\S)/gm;

export interface NoteStructure {
  /** Token indices that start a sentence whatever precedes them, ascending. */
  sentenceStarts: number[];
  /** Character ranges no sentence boundary may fall inside (placeholders), in order. */
  unbreakable: Array<{ start: number; end: number }>;
}

/** Index of the first token starting at or after `offset` (tokens.length if none). */
function tokenAtOrAfter(tokens: readonly Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const STARTS_UPPER = /^\p{Lu}/u;
const STARTS_LOWER = /^\p{Ll}/u;

/**
 * The offset of the first line after the list item at `itemStart` that is not its continuation (one indented deeper
 * than the marker, or starting in lower case) if that line starts with a capital letter; else -1.
 */
function lineAfterItem(text: string, itemStart: number, indent: number): number {
  for (let lineEnd = text.indexOf('\n', itemStart); lineEnd >= 0; ) {
    const next = text.indexOf('\n', lineEnd + 1);
    const line = text.slice(lineEnd + 1, next < 0 ? text.length : next);
    const content = line.trimStart();
    if (content.trim() === '') return -1;
    const lineIndent = line.length - content.length;
    if (lineIndent <= indent && !STARTS_LOWER.test(content)) return STARTS_UPPER.test(content) ? lineEnd + 1 + lineIndent : -1;
    lineEnd = next;
  }
  return -1;
}

/** Where the structure of `text` (whose tokens are `tokens`) starts sentences, and what it keeps whole. */
export function noteStructure(text: string, tokens: readonly Token[]): NoteStructure {
  const starts = new Set<number>();
  // Structure starts sentences at line starts; the text's own start is one already.
  if (text.includes('\n')) {
    for (const section of findSections(text)) {
      starts.add(tokenAtOrAfter(tokens, section.start));
      if (section.headingOnly) starts.add(tokenAtOrAfter(tokens, section.headingEnd));
    }
    for (const m of text.matchAll(LIST_ITEM)) {
      const indent = m[0].length - m[0].trimStart().length;
      starts.add(tokenAtOrAfter(tokens, m.index! + indent));
      const after = lineAfterItem(text, m.index!, indent);
      if (after >= 0) starts.add(tokenAtOrAfter(tokens, after));
    }
  }
  starts.delete(0);
  starts.delete(tokens.length);
  const sentenceStarts = [...starts].sort((a, b) => a - b);
  return { sentenceStarts, unbreakable: text.includes('**') ? findPlaceholders(text) : [] };
}
