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
import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { writeFileAtomicSync } from '../files/atomicWrite';
import { CodePointOffsets, sameText } from '../formats/brat';
import { BOM, readTextFileAsync } from '../formats/inputText';

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
  /** The edit from `base` to the text the editor opened with (known once the saved text has been read). */
  opening?: TextEdit;
  /** Edits since `base` (after `opening`), in order; `edits[0]` is the `since`-th edit logged for the document. */
  edits: TextEdit[];
  since: number;
  /** The saved text has been read (opened). */
  ready: Promise<void>;
  /** The stale sidecar content the user was told about (so each stale state is told once). */
  toldStale?: string;
}

/** How many edits of a document had been logged when an operation was asked for (so later ones are kept). */
export type EditMark = number;

export interface SidecarSyncHost {
  /** The sidecar .ann of a document URI (undefined for documents that are not files). */
  annPathOf(uri: string): string | undefined;
  /** Current sidecar content (cached by file stamp, read off the request path), undefined without one. */
  content(annPath: string): Promise<string | undefined>;
  /** The sidecar was rewritten (caches must forget it). */
  written(annPath: string): void;
  log(message: string): void;
  warn(message: string): void;
}

/**
 * The sidecars of the open documents: edit logs, stale checks, writes on save and before annotation edits. Files are
 * read asynchronously (a slow disk delays only its own document); the operations that rewrite one document's sidecar
 * run one after another (serially), each reading and writing the file with no other of them in between.
 */
export class SidecarSync {
  private readonly tracked = new Map<string, Tracked>();
  private readonly queues = new Map<string, Promise<unknown>>();

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

  /**
   * A document was opened: its sidecar refers to the saved text, read off the request path (what differs in the
   * editor is one edit; until the read is done, edits are logged from the text opened).
   */
  opened(document: TextDocument): void {
    const annPath = this.host.annPathOf(document.uri);
    if (!annPath) return;
    const text = document.getText();
    const tracked: Tracked = { annPath, base: text, baseHash: textHash(text), edits: [], since: 0, ready: Promise.resolve() };
    tracked.ready = savedTextBefore(fileURLToPath(document.uri), Date.now()).then((saved = text) => {
      tracked.base = saved;
      tracked.baseHash = textHash(saved);
      tracked.opening = minimalEdit(body(saved), body(text));
    });
    this.tracked.set(document.uri, tracked);
  }

  closed(uri: string): void {
    this.tracked.delete(uri);
  }

  /** The edits logged for `uri` so far: an operation asked for now applies these and keeps the later ones. */
  mark(uri: string): EditMark {
    const tracked = this.tracked.get(uri);
    return tracked ? tracked.since + tracked.edits.length : 0;
  }

  /** Runs `task` after the sidecar operations of `uri` asked for before it. */
  serially<T>(uri: string, task: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(uri) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    this.queues.set(uri, settled);
    void settled.then(() => this.queues.get(uri) === settled && this.queues.delete(uri));
    return run;
  }

  /**
   * The message for a stale sidecar (its recorded hash is not that of the text it should describe), else undefined.
   * A stale sidecar's annotations are not applied and it is never rewritten.
   */
  async stale(uri: string): Promise<string | undefined> {
    return (await this.staleState(uri))?.message;
  }

  /** Whether to tell the user now that the sidecar is stale (once per stale content). */
  async tellStale(uri: string): Promise<string | undefined> {
    const state = await this.staleState(uri);
    if (!state || state.tracked.toldStale === state.content) return undefined;
    state.tracked.toldStale = state.content;
    return state.message;
  }

  private async staleState(uri: string): Promise<{ message: string; content: string; tracked: Tracked } | undefined> {
    const tracked = this.tracked.get(uri);
    if (!tracked) return undefined;
    await tracked.ready;
    const content = await this.host.content(tracked.annPath);
    const recorded = content === undefined ? undefined : recordedTextHash(content);
    if (content === undefined || !recorded || recorded === tracked.baseHash) return undefined;
    const name = basename(tracked.annPath);
    const message =
      `${name} was written against another version of ${basename(fileURLToPath(uri))} (it changed outside the editor, or was ` +
      `not saved after annotating): its annotations are not applied and ${name} is not updated. Check its offsets, then ` +
      `delete its "# bioner-text:" line to use it with this text.`;
    return { message, content, tracked };
  }

  /** The document was saved with `text` (the edits up to `mark`): the sidecar moves with the edits since its base. */
  saved(uri: string, text: string, mark: EditMark = this.mark(uri)): Promise<void> {
    return this.serially(uri, async () => {
      try {
        // The file on disk is what the sidecar must describe; if it is not the editor's text (changed again since the
        // save), this waits for the next save.
        if (body(await readTextFileAsync(fileURLToPath(uri))) !== body(text)) return;
      } catch {
        return;
      }
      await this.bringUpToDate(uri, text, mark);
    });
  }

  /**
   * Before the editor changes the sidecar for `text` (an annotation edit; the edits up to `mark`): its lines are moved
   * to `text` and stamped with its hash. Throws, naming the .ann, when the sidecar is stale. Run it, the edit and
   * afterAnnotationEdit in one `serially` task.
   */
  async beforeAnnotationEdit(uri: string, text: string, mark: EditMark): Promise<void> {
    const message = await this.stale(uri);
    if (message) throw new Error(message);
    await this.bringUpToDate(uri, text, mark);
  }

  /** After the editor changed the sidecar for `text`: its hash line says so. */
  async afterAnnotationEdit(uri: string, text: string, mark: EditMark): Promise<void> {
    const annPath = this.tracked.get(uri)?.annPath ?? this.host.annPathOf(uri);
    if (!annPath) return;
    const content = await readIfExists(annPath);
    if (content === undefined) return;
    const next = withTextHash(content, text);
    if (next !== content) writeFileAtomicSync(annPath, next);
    this.host.written(annPath);
    this.rebase(uri, text, mark);
  }

  /** `text` (the edits up to `mark`) is the sidecar's base now; later edits stay logged against it. */
  private rebase(uri: string, text: string, mark: EditMark): void {
    const tracked = this.tracked.get(uri);
    if (!tracked) return;
    tracked.base = text;
    tracked.baseHash = textHash(text);
    tracked.opening = undefined;
    tracked.edits = tracked.edits.slice(Math.max(0, mark - tracked.since));
    tracked.since = Math.max(mark, tracked.since);
  }

  private async bringUpToDate(uri: string, text: string, mark: EditMark): Promise<void> {
    const tracked = this.tracked.get(uri);
    if (!tracked) return;
    await tracked.ready;
    const raw = await readIfExists(tracked.annPath);
    if (this.tracked.get(uri) !== tracked) return; // closed meanwhile
    if (raw === undefined) {
      this.rebase(uri, text, mark);
      return;
    }
    const recorded = recordedTextHash(raw);
    if (recorded && recorded !== tracked.baseHash) {
      this.host.warn(`${tracked.annPath}: stale (written against another text), not updated`);
      return;
    }
    const edits = [...(tracked.opening ? [tracked.opening] : []), ...tracked.edits.slice(0, Math.max(0, mark - tracked.since))];
    const hash = textHash(text);
    if (edits.length === 0 && recorded === hash) return;
    if (edits.length === 0 && !recorded && body(tracked.base) === body(text)) return; // a file from elsewhere, untouched
    const bom = raw.startsWith(BOM) ? BOM : '';
    const { content, dropped } = shiftSidecar(raw.slice(bom.length), tracked.base, text, edits);
    if (bom + content !== raw) writeFileAtomicSync(tracked.annPath, bom + content);
    this.host.written(tracked.annPath);
    this.rebase(uri, text, mark);
    const name = basename(tracked.annPath);
    this.host.log(`${name}: annotations moved with the edits${dropped.length ? `; ${dropped.length} whose text was edited kept as "# bioner-dropped:" lines` : ''}`);
    if (dropped.length) this.host.warn(`${name}: the text of ${dropped.map((d) => `"${d.split('\t').pop()}"`).join(', ')} was edited: kept as "# bioner-dropped:" lines`);
  }
}

// File times come from a coarse kernel clock, a network disk's from another machine: a file written this shortly before
// the document was opened may have been written after it. (Taking the editor's text instead is safe: at worst a
// sidecar written against the saved text is then flagged as stale, never rewritten.)
const WRITTEN_SINCE_MARGIN_MS = 2000;

/**
 * The text of `file` on disk as it was when its document was opened (at `openedAt`), read off the request path.
 * Undefined when it cannot be read as text, or was written since (then the editor's text at opening is the best
 * record of it: the editor read the file before).
 */
async function savedTextBefore(file: string, openedAt: number): Promise<string | undefined> {
  try {
    const saved = await readTextFileAsync(file);
    return (await stat(file)).mtimeMs < openedAt - WRITTEN_SINCE_MARGIN_MS ? saved : undefined;
  } catch {
    return undefined;
  }
}

/** The sidecar's content with its byte-order mark, or undefined when there is none (read off the request path). */
export async function readIfExists(annPath: string): Promise<string | undefined> {
  if (!(await access(annPath).then(() => true, () => false))) return undefined;
  return readTextFileAsync(annPath, { keepBom: true });
}
