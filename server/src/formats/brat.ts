// BRAT standoff: `name.txt` holds the text, `name.ann` one annotation per line. Only text-bound entities
// (`T1<TAB>Disease 0 15<TAB>cystic fibrosis`) become Spans; every other line (`#` notes, `A`/`M` attributes, `R`
// relations, `E` events, `N` normalisations, `*` equivalences) is kept verbatim when a file is edited.
// Discontinuous entities (`0 5;10 15`) are skipped with a warning, never merged into one span.
// brat counts offsets in Unicode code points (Python strings); they are converted to/from UTF-16 here.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { inputError, UserError } from '../errors';
import type { AnnotatedDocument, Assertion, Span } from '../types';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { attributeLines, readAttributes } from './bratAttributes';
import { checkNoOverlaps, sortSpans } from './entities';
import { BOM, readTextFile } from './inputText';
import { listFolder } from './listFolder';
import { parseReview } from './review';
import type { FormatWarning } from './warnings';

/** A text-bound annotation from a .ann file. */
export interface BratEntity extends Span {
  /** "T3" */
  id: string;
  /** 1-based line in the .ann file. */
  line: number;
  /** From the attribute lines that name this entity (`A1<TAB>Negated T3`; bratAttributes.ts), if any. */
  assertion?: Assertion;
}

export interface ParsedAnn {
  entities: BratEntity[];
  warnings: FormatWarning[];
  /** Spans marked "not an entity" when the file is a partial review (formats/review.ts); undefined when complete. */
  partial?: { notEntities: Array<{ start: number; end: number; line: number }> };
}

// The mention may hold U+2028/U+2029 (an older writer let them through): `[^]` rather than `.`, which stops there.
const T_LINE = /^(T\d+)\t([^\s]+) (\d+ \d+(?:;\d+ \d+)*)\t([^]*)$/;
const KNOWN_PREFIX = /^[TRAEMN#*]/;

/** Maps between code-point offsets (brat) and UTF-16 offsets (JavaScript); identity when there are no astral chars. */
export class CodePointOffsets {
  private readonly utf16ByCodePoint: number[] | undefined;

  constructor(private readonly text: string) {
    if (!/[\ud800-\udfff]/.test(text)) return;
    const table: number[] = [];
    let u = 0;
    for (const ch of text) {
      table.push(u);
      u += ch.length;
    }
    table.push(u);
    this.utf16ByCodePoint = table;
  }

  /** Number of code points in the text. */
  get length(): number {
    return this.utf16ByCodePoint ? this.utf16ByCodePoint.length - 1 : this.text.length;
  }

  toUtf16(codePoint: number): number {
    return this.utf16ByCodePoint ? this.utf16ByCodePoint[codePoint] : codePoint;
  }

  /** False for an offset between the two halves of a surrogate pair. */
  isBoundary(utf16: number): boolean {
    const code = this.text.charCodeAt(utf16);
    const before = this.text.charCodeAt(utf16 - 1);
    return !(code >= 0xdc00 && code <= 0xdfff && before >= 0xd800 && before <= 0xdbff);
  }

  toCodePoint(utf16: number): number {
    const table = this.utf16ByCodePoint;
    if (!table) return utf16;
    let lo = 0;
    let hi = table.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (table[mid] < utf16) lo = mid + 1;
      else hi = mid;
    }
    if (table[lo] !== utf16) throw new UserError(`offset ${utf16} falls inside a surrogate pair (half a character)`);
    return lo;
  }
}

/**
 * Characters that end a line for some reader of .ann files (JavaScript's `.` and `^`, Python's `splitlines`, brat's
 * own line reading): in a mention each is written as a space, so every reader sees one T line per entity.
 */
const LINE_BREAKS = /[\n\r\t\v\f\x1c-\x1e\x85\u2028\u2029]/g;

/** The mention column of a T line: the covered text with line breaks and tabs as spaces. */
export function mentionText(text: string): string {
  return text.replace(LINE_BREAKS, ' ');
}

/** Whether covered text and a mention column say the same (line breaks, tabs and other white space count as spaces). */
export const sameText = (a: string, b: string): boolean =>
  a === b || mentionText(a).replace(/\s/g, ' ') === mentionText(b).replace(/\s/g, ' ');

/**
 * Parses .ann content against its text. Malformed T lines, offsets past the end, mention text that does not match
 * the .txt, unknown line types and (unless `allowOverlaps`) overlapping entities are UserErrors naming the line.
 */
export function parseAnn(content: string, text: string, file: string, options: { allowOverlaps?: boolean } = {}): ParsedAnn {
  const entities: BratEntity[] = [];
  const warnings: FormatWarning[] = [];
  const offsets = new CodePointOffsets(text);
  const seen = new Map<string, number>();
  content.split(/\r?\n/).forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    if (!KNOWN_PREFIX.test(line)) throw inputError(file, lineNo, `not a brat annotation line (expected T, R, E, A, M, N, # or *): "${line}"`);
    if (!line.startsWith('T')) return;
    const m = T_LINE.exec(line);
    if (!m) throw inputError(file, lineNo, `malformed entity line, expected "T1<TAB>Type start end<TAB>text": "${line}"`);
    const [, id, label, ranges, mention] = m;
    const first = seen.get(id);
    if (first !== undefined) throw inputError(file, lineNo, `duplicate id ${id} (first on line ${first})`);
    seen.set(id, lineNo);
    const parts = ranges.split(';').map((r) => r.split(' ').map(Number));
    for (const [s, e] of parts) {
      if (e <= s) throw inputError(file, lineNo, `bad offsets ${s} ${e} (end must be after start)`);
      if (e > offsets.length) throw inputError(file, lineNo, `offset ${e} is past the end of the text (${offsets.length} characters)`);
    }
    const utf16 = parts.map(([s, e]) => [offsets.toUtf16(s), offsets.toUtf16(e)]);
    const covered = utf16.map(([s, e]) => text.slice(s, e)).join(' ');
    if (!sameText(covered, mention)) {
      throw inputError(file, lineNo, `text mismatch for ${id}: the .ann says "${mention}" but the .txt has "${covered}" at ${ranges}`);
    }
    if (parts.length > 1) {
      warnings.push({ file, line: lineNo, message: `${id} is discontinuous (${ranges}): skipped` });
      return;
    }
    entities.push({ id, label, start: utf16[0][0], end: utf16[0][1], line: lineNo });
  });
  if (!options.allowOverlaps) checkNoOverlaps(entities, file, (e) => e.line);
  if (content.includes('\nA') || content.startsWith('A')) {
    const assertions = readAttributes(content);
    for (const e of entities) {
      const assertion = assertions.get(e.id);
      if (assertion) e.assertion = assertion;
    }
  }
  const review = parseReview(content, (line, message) => {
    throw inputError(file, line, message);
  });
  if (review.complete) return { entities: sortSpans(entities), warnings };
  const notEntities = review.notEntities.map((n) => {
    if (n.end > offsets.length) throw inputError(file, n.line, `offset ${n.end} is past the end of the text (${offsets.length} characters)`);
    const start = offsets.toUtf16(n.start);
    const end = offsets.toUtf16(n.end);
    if (!sameText(text.slice(start, end), n.mention)) {
      throw inputError(file, n.line, `text mismatch: the .ann says "${n.mention}" is not an entity but the .txt has "${text.slice(start, end)}"`);
    }
    return { start, end, line: n.line };
  });
  return { entities: sortSpans(entities), warnings, partial: { notEntities } };
}

/** A fresh .ann for entities (T1, T2, ... in text order), each followed by its assertion's attribute lines. */
export function formatAnn(text: string, entities: readonly (Span & { assertion?: Assertion })[]): string {
  const offsets = new CodePointOffsets(text);
  let attributes = 0;
  return sortSpans([...entities])
    .map((e, i) => {
      const entity = `T${i + 1}\t${e.label} ${offsets.toCodePoint(e.start)} ${offsets.toCodePoint(e.end)}\t${mentionText(text.slice(e.start, e.end))}\n`;
      const lines = attributeLines(e.assertion, `T${i + 1}`, attributes + 1);
      attributes += lines.length;
      return entity + lines.join('');
    })
    .join('');
}

export interface AnnEdit {
  /** Entities to add as new T lines (UTF-16 offsets into the text). */
  add?: readonly Span[];
  /** T ids to remove. */
  removeIds?: readonly string[];
  /** Or remove every entity this returns true for. */
  remove?: (entity: BratEntity) => boolean;
  /** T ids to give a new label in place (same id, offsets and mention, so notes and relations keep pointing at it). */
  relabel?: ReadonlyMap<string, string>;
}

export interface AnnEditResult {
  content: string;
  /** Ids given to the added entities, in the order of `edit.add`. */
  addedIds: string[];
  /** Ids of the removed T lines. */
  removedIds: string[];
}

/** A label as a T line can hold it: non-empty, no whitespace. */
function checkLabel(label: unknown, file: string): string {
  if (typeof label !== 'string' || label === '' || /\s/.test(label)) throw new UserError(`${file}: cannot use the label "${String(label)}"`);
  return label;
}

/**
 * Adds, relabels and removes T lines of existing .ann content. Every other line (notes, attributes, relations,
 * events, normalisations, other T lines, blank lines) is kept byte for byte, including CRLF line endings. Lines that
 * refer to a removed entity are kept too (the user's notes are never deleted); brat shows them as dangling.
 */
export function editAnn(content: string, text: string, edit: AnnEdit, file: string): AnnEditResult {
  const { entities } = parseAnn(content, text, file, { allowOverlaps: true });
  const removeIds = new Set(edit.removeIds ?? []);
  for (const e of entities) if (edit.remove?.(e)) removeIds.add(e.id);
  const removedLines = new Set(entities.filter((e) => removeIds.has(e.id)).map((e) => e.line));
  const newline = content.includes('\r\n') ? '\r\n' : '\n';
  // Keep each line with its own terminator so untouched lines stay identical.
  const pieces = content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  for (const [id, label] of edit.relabel ?? []) {
    const entity = entities.find((e) => e.id === id);
    if (!entity) throw new UserError(`${file}: no annotation ${id}`);
    pieces[entity.line - 1] = pieces[entity.line - 1].replace(/^(T\d+\t)\S+/, (_, head: string) => head + checkLabel(label, file));
  }
  const kept = pieces.filter((_, i) => !removedLines.has(i + 1));
  let result = kept.join('');
  if (result !== '' && !result.endsWith('\n')) result += newline;

  // New ids continue after the largest T number used anywhere in the file (removed ones are not reused). BigInt:
  // ids are any digit string, and past 2^53 a Number repeats an id or prints as "1e+21".
  let next = 1n;
  for (const piece of pieces) {
    const m = /^(?:# bioner-dropped: )?T(\d+)\t/.exec(piece); // nor those of lines the editor dropped (lsp/sidecarSync.ts)
    if (m && BigInt(m[1]) >= next) next = BigInt(m[1]) + 1n;
  }
  const offsets = new CodePointOffsets(text);
  const addedIds: string[] = [];
  for (const span of edit.add ?? []) {
    const label = checkLabel(span.label, file);
    if (!Number.isSafeInteger(span.start) || !Number.isSafeInteger(span.end) || span.start < 0 || span.end <= span.start || span.end > text.length) {
      throw new UserError(`${file}: cannot add ${label} ${span.start}-${span.end}: not a span of the text (${text.length} characters)`);
    }
    if (!offsets.isBoundary(span.start) || !offsets.isBoundary(span.end)) {
      throw new UserError(`${file}: cannot add ${label} ${span.start}-${span.end}: it cuts a character (surrogate pair) in two`);
    }
    const id = `T${next++}`;
    const mention = mentionText(text.slice(span.start, span.end));
    result += `${id}\t${label} ${offsets.toCodePoint(span.start)} ${offsets.toCodePoint(span.end)}\t${mention}${newline}`;
    addedIds.push(id);
  }
  return { content: result, addedIds, removedIds: [...removeIds].filter((id) => entities.some((e) => e.id === id)) };
}

/**
 * Rewrites a .ann file (created if missing and given content) with `change`, which gets and returns its content without a byte-order
 * mark: a mark the file starts with is kept there. Written atomically, through a symbolic link to its target
 * (atomicWrite.ts), and only when the content changed.
 */
export function rewriteAnnFile(annPath: string, change: (content: string) => string): void {
  const raw = existsSync(annPath) ? readTextFile(annPath, { keepBom: true }) : '';
  const bom = raw.startsWith(BOM) ? BOM : '';
  const content = raw.slice(bom.length);
  const next = change(content);
  if (next !== content) writeFileAtomicSync(annPath, bom + next);
}

/**
 * Edits a sidecar .ann file in place (rewriteAnnFile). `text` is the document text the offsets refer to (the .txt, or
 * the editor buffer).
 */
export function updateAnnFile(annPath: string, text: string, edit: AnnEdit): AnnEditResult {
  let result: AnnEditResult | undefined;
  rewriteAnnFile(annPath, (content) => (result = editAnn(content, text, edit, annPath)).content);
  return result!;
}

export interface BratReadResult {
  documents: AnnotatedDocument[];
  warnings: FormatWarning[];
}

function readPair(txtPath: string, annPath: string, id: string, warnings: FormatWarning[]): AnnotatedDocument {
  const raw = readTextFile(txtPath, { keepBom: true });
  const text = raw.startsWith(BOM) ? raw.slice(BOM.length) : raw;
  if (!existsSync(annPath)) {
    warnings.push({ file: annPath, message: 'no .ann file: the document has no entities' });
    return { id, text, entities: [] };
  }
  const content = readTextFile(annPath);
  let parsed: ParsedAnn;
  try {
    parsed = parseAnn(content, text, annPath);
  } catch (error) {
    // brat itself (and bioner before the BOM rule) counted the .txt's byte-order mark: read such a file one earlier.
    if (text === raw || !(error instanceof UserError)) throw error;
    const counted = (() => {
      try {
        return parseAnn(content, raw, annPath);
      } catch {
        return undefined;
      }
    })();
    if (!counted || counted.entities.some((e) => e.start === 0)) throw error;
    warnings.push({ file: annPath, message: "its offsets count the .txt's byte-order mark (as brat does): read as one less" });
    parsed = { warnings: counted.warnings, entities: counted.entities.map((e) => ({ ...e, start: e.start - 1, end: e.end - 1 })) };
  }
  warnings.push(...parsed.warnings);
  const document: AnnotatedDocument = {
    id,
    text,
    entities: parsed.entities.map(({ start, end, label, assertion }) => (assertion ? { start, end, label, assertion } : { start, end, label })),
  };
  if (parsed.partial) document.partial = { notEntities: parsed.partial.notEntities.map(({ start, end }) => ({ start, end })) };
  return document;
}

/** Reads a directory of .txt/.ann pairs (recursively, ids are relative paths without .txt) or one pair. */
export function readBrat(path: string): BratReadResult {
  const warnings: FormatWarning[] = [];
  if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    const listed = listFolder(path);
    const txts = listed.filter((e) => e.rel.endsWith('.txt'));
    if (txts.length === 0) throw new UserError(`${path}: no .txt files here (expected brat .txt/.ann pairs)`);
    const documents = txts.map((e) => readPair(e.path, e.path.slice(0, -4) + '.ann', e.rel.slice(0, -4), warnings));
    for (const e of listed.filter((e) => e.rel.endsWith('.ann'))) {
      if (!existsSync(e.path.slice(0, -4) + '.txt')) warnings.push({ file: e.path, message: 'no .txt beside this .ann: skipped' });
    }
    return { documents, warnings };
  }
  const ext = extname(path);
  if (ext !== '.txt' && ext !== '.ann') throw new UserError(`${path}: expected a directory, a .txt or a .ann file for brat input`);
  const stem = path.slice(0, -4);
  const id = relative(dirname(stem), stem);
  return { documents: [readPair(stem + '.txt', stem + '.ann', id, warnings)], warnings };
}

const MAX_ID_PART_BYTES = 200;

/** Checks a document id can be used as a relative file name inside the output directory. */
function safeRelativeName(id: string): string {
  const parts = id.split('/');
  if (id === '' || parts.some((p) => p === '' || p === '.' || p === '..' || /[\\:*?"<>|\0]/.test(p))) {
    throw new UserError(`document id "${id}" cannot be used as a brat file name`);
  }
  // File names hold at most 255 bytes, and ours get ".ann" and, while written, a temp suffix (".<pid>.<random>.tmp").
  const long = parts.find((p) => Buffer.byteLength(p) > MAX_ID_PART_BYTES);
  if (long) {
    throw new UserError(
      `document id "${id.slice(0, 60)}..." cannot be used as a brat file name: "${long.slice(0, 20)}..." is ${Buffer.byteLength(long)} bytes, more than the ${MAX_ID_PART_BYTES} a file name can take here`,
    );
  }
  return parts.join(sep);
}

/**
 * Writes documents as .txt/.ann pairs. `target` is a directory, or a single .txt/.ann path when there is exactly one
 * document. Each file is written atomically.
 */
export function writeBrat(target: string, documents: readonly AnnotatedDocument[]): string[] {
  const written: string[] = [];
  const single = extname(target) === '.txt' || extname(target) === '.ann';
  if (single && documents.length !== 1) throw new UserError(`${target}: ${documents.length} documents need a directory, not a single .txt/.ann pair`);
  for (const document of documents) {
    const stem = single ? target.slice(0, -4) : join(target, safeRelativeName(document.id));
    mkdirSync(dirname(stem), { recursive: true });
    // A leading U+FEFF is read back as a byte-order mark and dropped (inputText.ts: BOM): it is written without it.
    const skip = document.text.startsWith(BOM) ? BOM.length : 0;
    const text = document.text.slice(skip);
    let ann: string;
    try {
      if (document.entities.some((e) => e.start < skip)) throw new UserError('an entity covers the leading U+FEFF, which every reader drops as a byte-order mark');
      ann = formatAnn(text, skip ? document.entities.map((e) => ({ ...e, start: e.start - skip, end: e.end - skip })) : document.entities);
    } catch (error) {
      throw error instanceof UserError ? new UserError(`document "${document.id}": ${error.message}`) : error;
    }
    writeFileAtomicSync(stem + '.txt', text);
    writeFileAtomicSync(stem + '.ann', ann);
    written.push(stem + '.txt', stem + '.ann');
  }
  return written;
}
