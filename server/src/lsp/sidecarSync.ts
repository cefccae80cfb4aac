// Keeps a document's sidecar .ann in step with its text. The sidecar records the text its offsets were written
// against (`# bioner-text: sha256=<hex>`, of the text without a byte-order mark). While a document is open, every
// edit is logged; when the document is saved (and before any annotation edit of the editor), the T lines and
// `# bioner-not-entity:` lines are moved by those edits, the hash updated, and the file written atomically.
//
// Why on save and not on each change: the text file and its sidecar then land on disk together. Written on each
// keystroke, a sidecar would describe text that was never saved whenever the user closes without saving (and every
// keystroke would rewrite a file other tools watch).
//
// Nothing is lost or misapplied:
// - a line whose span an edit touched is kept as `# bioner-dropped: <the line>` (the person can restore it);
// - a line that did not fit the text before (a person's, already stale) is kept byte for byte, as is every other line;
// - a sidecar whose hash is not that of the text it should describe (the text changed outside the editor, or was
//   not saved after an annotation) is stale: its annotations are not applied, it is never rewritten, and the user is
//   told which .ann it is (a diagnostic and a message), until the hash line is removed or the text matches again.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { CodePointOffsets, sameText } from '../formats/brat';
import { BOM, readTextFile } from '../formats/inputText';

/** One edit of a text: [start, end) (UTF-16 offsets into the text before it) replaced by `inserted` characters. */
export interface TextEdit {
  start: number;
  end: number;
  inserted: number;
}

const body = (text: string): string => (text.startsWith(BOM) ? text.slice(BOM.length) : text);

export const textHash = (text: string): string => createHash('sha256').update(body(text)).digest('hex');

const TEXT_LINE = /^# bioner-text: sha256=([0-9a-f]{64})\s*$/;
const DROPPED = '# bioner-dropped: ';

/** The hash a sidecar records of its text, if it has the line. */
export function recordedTextHash(content: string): string | undefined {
  for (const line of content.split(/\r?\n/)) {
    const m = TEXT_LINE.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The content with its `# bioner-text:` line set to `text`: replaced in place, or added after the review line the
 * editor starts a sidecar with, or else at the end (a person's file keeps its lines where they were).
 */
export function withTextHash(content: string, text: string): string {
  const stamp = `# bioner-text: sha256=${textHash(text)}`;
  const lines: string[] = content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const ending = (l: string) => (l.endsWith('\r\n') ? '\r\n' : l.endsWith('\n') ? '\n' : '');
  const at = lines.findIndex((l) => TEXT_LINE.test(l.replace(/\r?\n$/, '')));
  if (at >= 0) lines[at] = stamp + ending(lines[at]);
  else {
    const newline = content.includes('\r\n') ? '\r\n' : '\n';
    const after = lines.length > 0 && lines[0].startsWith('# bioner-review:') ? 1 : lines.length;
    if (after > 0 && ending(lines[after - 1]) === '') lines[after - 1] += newline;
    lines.splice(after, 0, stamp + newline);
  }
  return lines.join('');
}

/** The one edit that turns `before` into `after` (common prefix and suffix kept); undefined when they are equal. */
export function minimalEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start: prefix, end: before.length - suffix, inserted: after.length - suffix - prefix };
}

/**
 * Where [start, end) is after `edits` (in order), or undefined when one of them touched it. Typing right before or
 * right after a span moves it or leaves it; an edit that overlaps it, or inserts inside it, touches it.
 */
export function mapSpan(span: { start: number; end: number }, edits: readonly TextEdit[]): { start: number; end: number } | undefined {
  let { start, end } = span;
  for (const edit of edits) {
    if (edit.end <= start) {
      const shift = edit.inserted - (edit.end - edit.start);
      start += shift;
      end += shift;
    } else if (edit.start >= end) {
      continue;
    } else {
      return undefined;
    }
  }
  return { start, end };
}

const T_OFFSETS = /^(T\d+\t\S+ )(\d+ \d+(?:;\d+ \d+)*)(\t)([^]*)$/;
const NOT_ENTITY_OFFSETS = /^(# bioner-not-entity: )(\d+ \d+)(\t)([^]*)$/;

export interface ShiftResult {
  content: string;
  /** The lines dropped because an edit touched their span (as they were). */
  dropped: string[];
}

/**
 * The sidecar `content` (offsets into `before`) moved to `after` by `edits`, with the hash of `after`. T lines and
 * "not an entity" lines move; one whose span an edit touched becomes `# bioner-dropped: <line>`; every other line
 * (and one that did not fit `before`) is kept byte for byte. A span in the unchanged head or tail of the text stays
 * there even if the log touched it (typed and undone).
 */
export function shiftSidecar(content: string, beforeText: string, afterText: string, edits: readonly TextEdit[]): ShiftResult {
  const before = body(beforeText);
  const after = body(afterText);
  const fromOffsets = new CodePointOffsets(before);
  const toOffsets = new CodePointOffsets(after);
  const whole = minimalEdit(before, after);
  const dropped: string[] = [];
  const move = (span: { start: number; end: number }) => {
    if (!whole || span.end <= whole.start) return span;
    if (span.start >= whole.end) return mapSpan(span, [whole]);
    return mapSpan(span, edits);
  };
  const lines: string[] = content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const shifted = lines.map((piece) => {
    const ending = piece.endsWith('\r\n') ? '\r\n' : piece.endsWith('\n') ? '\n' : '';
    const line = piece.slice(0, piece.length - ending.length);
    const m = T_OFFSETS.exec(line) ?? NOT_ENTITY_OFFSETS.exec(line);
    if (!m) return piece;
    const [, head, ranges, tab, mention] = m;
    const parts = ranges.split(';').map((r) => r.split(' ').map(Number));
    if (parts.some(([s, e]) => e <= s || e > fromOffsets.length)) return piece;
    const spans = parts.map(([s, e]) => ({ start: fromOffsets.toUtf16(s), end: fromOffsets.toUtf16(e) }));
    if (!sameText(spans.map((s) => before.slice(s.start, s.end)).join(' '), mention)) return piece; // did not fit before
    const moved = spans.map(move);
    const fits =
      moved.every((s) => s && toOffsets.isBoundary(s.start) && toOffsets.isBoundary(s.end)) &&
      sameText(moved.map((s) => after.slice(s!.start, s!.end)).join(' '), mention);
    if (!fits) {
      dropped.push(line);
      return DROPPED + line + ending;
    }
    const offsets = moved.map((s) => `${toOffsets.toCodePoint(s!.start)} ${toOffsets.toCodePoint(s!.end)}`).join(';');
    return head + offsets + tab + mention + ending;
  });
  return { content: withTextHash(shifted.join(''), afterText), dropped };
}

/** The edit one content change of the LSP makes to `document` (before it is applied). */
export function editOf(document: TextDocument, change: TextDocumentContentChangeEvent): TextEdit | undefined {
  if ('range' in change) {
    const skip = document.getText().startsWith(BOM) ? BOM.length : 0;
    const start = Math.max(0, document.offsetAt(change.range.start) - skip);
    return { start, end: Math.max(start, document.offsetAt(change.range.end) - skip), inserted: change.text.length };
  }
  return minimalEdit(body(document.getText()), body(change.text));
}

interface Tracked {
  annPath: string;
  /** The text the sidecar's offsets refer to (the saved text, or the editor's at the last annotation edit). */
  base: string;
  baseHash: string;
  /** Edits since `base`, in order. */
  edits: TextEdit[];
  /** The stale sidecar content the user was told about (so each stale state is told once). */
  toldStale?: string;
}

export interface SidecarSyncHost {
  /** The sidecar .ann of a document URI (undefined for documents that are not files). */
  annPathOf(uri: string): string | undefined;
  /** Current sidecar content (cached by file stamp), undefined without one. */
  content(annPath: string): string | undefined;
  /** The sidecar was rewritten (caches must forget it). */
  written(annPath: string): void;
  log(message: string): void;
  warn(message: string): void;
}

/** The sidecars of the open documents: edit logs, stale checks, writes on save and before annotation edits. */
export class SidecarSync {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly host: SidecarSyncHost) {}

  /**
   * A TextDocuments `update` that logs each change before applying it (a change's range refers to the text after the
   * changes before it in the same notification).
   */
  readonly update = (document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument => {
    const tracked = this.tracked.get(document.uri);
    if (!tracked || changes.length === 0) return TextDocument.update(document, changes, version);
    for (const change of changes) {
      const edit = editOf(document, change);
      if (edit) tracked.edits.push(edit);
      TextDocument.update(document, [change], version);
    }
    return document;
  };

  /** A document was opened: its sidecar refers to the saved text (what differs in the editor is one edit). */
  opened(document: TextDocument): void {
    const annPath = this.host.annPathOf(document.uri);
    if (!annPath) return;
    const text = document.getText();
    let saved = text;
    try {
      saved = readTextFile(fileURLToPath(document.uri));
    } catch {
      // not readable as text: the editor's text is all there is
    }
    const first = minimalEdit(body(saved), body(text));
    this.tracked.set(document.uri, { annPath, base: saved, baseHash: textHash(saved), edits: first ? [first] : [] });
  }

  closed(uri: string): void {
    this.tracked.delete(uri);
  }

  /**
   * The message for a stale sidecar (its recorded hash is not that of the text it should describe), else undefined.
   * A stale sidecar's annotations are not applied and it is never rewritten.
   */
  stale(uri: string): string | undefined {
    const tracked = this.tracked.get(uri);
    if (!tracked) return undefined;
    const content = this.host.content(tracked.annPath);
    const recorded = content === undefined ? undefined : recordedTextHash(content);
    if (!recorded || recorded === tracked.baseHash) return undefined;
    const name = basename(tracked.annPath);
    return (
      `${name} was written against another version of ${basename(fileURLToPath(uri))} (it changed outside the editor, or was ` +
      `not saved after annotating): its annotations are not applied and ${name} is not updated. Check its offsets, then ` +
      `delete its "# bioner-text:" line to use it with this text.`
    );
  }

  /** Whether to tell the user now that the sidecar is stale (once per stale content). */
  tellStale(uri: string): string | undefined {
    const message = this.stale(uri);
    const tracked = this.tracked.get(uri);
    if (!message || !tracked) return undefined;
    const content = this.host.content(tracked.annPath);
    if (tracked.toldStale === content) return undefined;
    tracked.toldStale = content;
    return message;
  }

  /** The document was saved with `text`: the sidecar moves with the edits since its base. */
  saved(uri: string, text: string): void {
    const tracked = this.tracked.get(uri);
    if (!tracked) return;
    try {
      // The file on disk is what the sidecar must describe; if it is not the editor's text (changed again since the
      // save), this waits for the next save.
      if (body(readTextFile(fileURLToPath(uri))) !== body(text)) return;
    } catch {
      return;
    }
    this.bringUpToDate(uri, text);
  }

  /**
   * Before the editor changes the sidecar for `text` (an annotation edit): its lines are moved to `text` and stamped
   * with its hash. Throws, naming the .ann, when the sidecar is stale.
   */
  beforeAnnotationEdit(uri: string, text: string): void {
    const message = this.stale(uri);
    if (message) throw new Error(message);
    this.bringUpToDate(uri, text);
  }

  /** After the editor changed the sidecar for `text`: its hash line says so. */
  afterAnnotationEdit(uri: string, text: string): void {
    const annPath = this.tracked.get(uri)?.annPath ?? this.host.annPathOf(uri);
    if (!annPath || !existsSync(annPath)) return;
    const content = readTextFile(annPath, { keepBom: true });
    const next = withTextHash(content, text);
    if (next !== content) writeFileAtomicSync(annPath, next);
    this.host.written(annPath);
    this.rebase(uri, text);
  }

  private rebase(uri: string, text: string): void {
    const tracked = this.tracked.get(uri);
    if (!tracked) return;
    tracked.base = text;
    tracked.baseHash = textHash(text);
    tracked.edits = [];
  }

  private bringUpToDate(uri: string, text: string): void {
    const tracked = this.tracked.get(uri);
    if (!tracked) return;
    if (!existsSync(tracked.annPath)) {
      this.rebase(uri, text);
      return;
    }
    const raw = readTextFile(tracked.annPath, { keepBom: true });
    const recorded = recordedTextHash(raw);
    if (recorded && recorded !== tracked.baseHash) {
      this.host.warn(`${tracked.annPath}: stale (written against another text), not updated`);
      return;
    }
    const hash = textHash(text);
    if (tracked.edits.length === 0 && recorded === hash) return;
    if (tracked.edits.length === 0 && !recorded && body(tracked.base) === body(text)) return; // a file from elsewhere, untouched
    const bom = raw.startsWith(BOM) ? BOM : '';
    const { content, dropped } = shiftSidecar(raw.slice(bom.length), tracked.base, text, tracked.edits);
    if (bom + content !== raw) writeFileAtomicSync(tracked.annPath, bom + content);
    this.host.written(tracked.annPath);
    this.rebase(uri, text);
    const name = basename(tracked.annPath);
    this.host.log(`${name}: annotations moved with the edits${dropped.length ? `; ${dropped.length} whose text was edited kept as "# bioner-dropped:" lines` : ''}`);
    if (dropped.length) this.host.warn(`${name}: the text of ${dropped.map((d) => `"${d.split('\t').pop()}"`).join(', ')} was edited: kept as "# bioner-dropped:" lines`);
  }
}
