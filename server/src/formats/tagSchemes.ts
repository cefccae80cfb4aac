// Token tag schemes and the conversions between tag sequences and token spans.
//
// Chunk rules follow conlleval (startOfChunk / endOfChunk), so every scheme decodes the same way:
//  - a chunk starts at B-X or S-X, or at I-X / E-X that follows O, another type, E or S (or starts the sentence);
//  - a chunk ends before O, B, S or a different type, and right after E or S.
// What differs is whether a chunk that starts with I-X is legal:
//  - IOB1: I-X after O (or another type) is the normal way to start an entity; B-X only separates two adjacent
//    entities of the same type. No warning.
//  - IOB2: every entity must start with B-X. I-X after O is repaired as the start of a new entity, exactly as
//    conlleval counts it, and reported as a repair. (seqeval's strict mode instead drops such chunks; we follow
//    conlleval so that a repaired file scores the same as under the official CoNLL script.)
//  - BIOES (also BILOU: L = E, U = S): I-X / E-X starting a chunk and B-X / I-X ending one are repaired the same way.
import type { Span } from '../types';

/**
 * The tag of a token whose tag nobody knows: text a user has not reviewed in a partially annotated document
 * (formats/review.ts). Training marginalises over it (model/crf.ts) instead of reading it as `O`.
 */
export const UNKNOWN_TAG = '?';

export type TagScheme = 'iob1' | 'iob2' | 'bioes';
export const TAG_SCHEMES: readonly TagScheme[] = ['iob1', 'iob2', 'bioes'];

export interface ParsedTag {
  /** B, I, E, S, or O (L and U are read as E and S). */
  prefix: 'B' | 'I' | 'E' | 'S' | 'O';
  /** The entity type; '' for O. */
  type: string;
}

const TAG = /^([BIESLU])[-_](.+)$/;

/** Parses "B-Disease", "O", "S-Chemical", "L-X", "U-X"; undefined for anything else ("X-Foo", "B-", "Disease"). */
export function parseTag(tag: string): ParsedTag | undefined {
  if (tag === 'O') return { prefix: 'O', type: '' };
  const m = TAG.exec(tag);
  if (!m) return undefined;
  const prefix = m[1] === 'L' ? 'E' : m[1] === 'U' ? 'S' : (m[1] as ParsedTag['prefix']);
  return { prefix, type: m[2] };
}

/** A spot where a sequence broke its scheme's rules and was repaired the conlleval way. */
export interface TagRepair {
  /** Token index of the offending tag. */
  index: number;
  message: string;
}

export interface DecodedTags {
  /** Spans in token indices (end exclusive). */
  spans: Span[];
  repairs: TagRepair[];
}

function parseOrThrow(tag: string): ParsedTag {
  const parsed = parseTag(tag);
  if (!parsed) throw new Error(`unknown tag "${tag}"`);
  return parsed;
}

/** conlleval's endOfChunk: does a chunk end between `prev` and `cur`? */
function chunkEnds(prev: ParsedTag, cur: ParsedTag): boolean {
  if (prev.prefix === 'O') return false;
  if (prev.prefix === 'E' || prev.prefix === 'S') return true;
  if (cur.prefix === 'B' || cur.prefix === 'S' || cur.prefix === 'O') return true;
  return prev.type !== cur.type;
}

/** conlleval's startOfChunk: does a chunk start at `cur`? */
function chunkStarts(prev: ParsedTag, cur: ParsedTag): boolean {
  if (cur.prefix === 'O') return false;
  if (cur.prefix === 'B' || cur.prefix === 'S') return true;
  if (prev.prefix === 'O' || prev.prefix === 'E' || prev.prefix === 'S') return true;
  return prev.type !== cur.type;
}

const OUTSIDE: ParsedTag = { prefix: 'O', type: '' };

/**
 * Decodes a tag sequence into token spans, with the repairs made (see the file comment). Throws an Error naming the
 * tag if one is not a valid tag; callers turn that into a UserError with the file and line.
 */
export function tagsToSpans(tags: readonly string[], scheme: TagScheme = 'iob2'): DecodedTags {
  const spans: Span[] = [];
  const repairs: TagRepair[] = [];
  let open: { start: number; type: string } | undefined;
  let prev = OUTSIDE;
  for (let i = 0; i <= tags.length; i++) {
    const cur = i < tags.length ? parseOrThrow(tags[i]) : OUTSIDE;
    if (open && chunkEnds(prev, cur)) {
      if (scheme === 'bioes' && (prev.prefix === 'B' || prev.prefix === 'I')) {
        repairs.push({ index: i - 1, message: `${tags[i - 1]} is not closed by E-${prev.type}: entity ends here` });
      }
      spans.push({ start: open.start, end: i, label: open.type });
      open = undefined;
    }
    if (i < tags.length && chunkStarts(prev, cur)) {
      if (cur.prefix === 'I' || cur.prefix === 'E') {
        const after = i === 0 ? 'at the start of a sentence' : `after ${tags[i - 1]}`;
        if (scheme === 'iob2' || scheme === 'bioes') {
          repairs.push({ index: i, message: `${tags[i]} ${after}: treated as the start of a new entity (as conlleval does)` });
        }
      }
      if (scheme === 'iob1' && (cur.prefix === 'E' || cur.prefix === 'S')) {
        repairs.push({ index: i, message: `${tags[i]} is not an IOB1 tag` });
      }
      open = { start: i, type: cur.type };
    }
    prev = cur;
  }
  return { spans, repairs };
}

/** Writes token spans (sorted, non-overlapping, end exclusive) as tags of `length` tokens. */
export function spansToTags(spans: readonly Span[], length: number, scheme: TagScheme = 'iob2'): string[] {
  const tags = new Array<string>(length).fill('O');
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  let previous: Span | undefined;
  for (const span of sorted) {
    if (span.start < 0 || span.end > length || span.end <= span.start) {
      throw new Error(`span ${span.start}-${span.end} is outside the ${length} tokens`);
    }
    if (previous && span.start < previous.end) {
      throw new Error(`spans ${previous.start}-${previous.end} and ${span.start}-${span.end} overlap`);
    }
    const adjacentSameType = previous !== undefined && previous.end === span.start && previous.label === span.label;
    for (let i = span.start; i < span.end; i++) {
      const first = i === span.start;
      const last = i === span.end - 1;
      let prefix: string;
      if (scheme === 'bioes') prefix = first && last ? 'S' : first ? 'B' : last ? 'E' : 'I';
      else if (scheme === 'iob1') prefix = first && adjacentSameType ? 'B' : 'I';
      else prefix = first ? 'B' : 'I';
      tags[i] = `${prefix}-${span.label}`;
    }
    previous = span;
  }
  return tags;
}

/**
 * Guesses the scheme of tag sequences: BIOES if any E-/S-/L-/U- tag appears; IOB1 if entities start with I-X and
 * every B-X directly follows an entity of the same type (its only use in IOB1); IOB2 otherwise.
 */
export function detectScheme(sequences: Iterable<readonly string[]>): TagScheme {
  let startsWithI = false;
  let bElsewhere = 0;
  for (const tags of sequences) {
    let prev = OUTSIDE;
    for (const tag of tags) {
      const cur = parseTag(tag);
      if (!cur) continue; // the reader reports it
      if (cur.prefix === 'E' || cur.prefix === 'S') return 'bioes';
      if (cur.prefix === 'I' && chunkStarts(prev, cur)) startsWithI = true;
      if (cur.prefix === 'B' && !(prev.prefix !== 'O' && prev.type === cur.type)) bElsewhere++;
      prev = cur;
    }
  }
  return startsWithI && bElsewhere === 0 ? 'iob1' : 'iob2';
}

/** Re-encodes tags from one scheme to another (through spans). */
export function convertTags(tags: readonly string[], from: TagScheme, to: TagScheme): string[] {
  return spansToTags(tagsToSpans(tags, from).spans, tags.length, to);
}
