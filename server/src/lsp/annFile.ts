// The sidecar BRAT standoff file of a document (notes/visit.txt -> notes/visit.ann), as the language server reads
// and edits it. Tolerant on purpose: only text-bound lines (T) are interpreted; every other line (relations,
// events, attributes, notes, anything unknown or malformed) is kept verbatim, and writes are atomic.
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** A text-bound annotation: `T3<TAB>LABEL 10 17[;20 25]<TAB>text`. Offsets span the first to the last fragment. */
export interface AnnEntity {
  id: string;
  label: string;
  start: number;
  end: number;
  text: string;
  /** Index into AnnFile.lines. */
  line: number;
}

const TEXT_BOUND = /^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$/;

export function annPathFor(documentPath: string): string {
  return join(dirname(documentPath), basename(documentPath, extname(documentPath)) + '.ann');
}

export class AnnFile {
  private constructor(
    readonly path: string,
    /** Every line of the file, verbatim, without line terminators. */
    readonly lines: string[],
    private readonly eol: string,
    /** Whether the file existed when read. */
    readonly exists: boolean,
  ) {}

  static read(path: string): AnnFile {
    if (!existsSync(path)) return new AnnFile(path, [], '\n', false);
    const content = readFileSync(path, 'utf8');
    const eol = content.includes('\r\n') ? '\r\n' : '\n';
    const lines = content.split(/\r?\n/);
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return new AnnFile(path, lines, eol, true);
  }

  entities(): AnnEntity[] {
    const result: AnnEntity[] = [];
    this.lines.forEach((line, index) => {
      const m = TEXT_BOUND.exec(line);
      if (!m) return;
      const offsets = m[3].split(/[ ;]/).map(Number);
      result.push({ id: m[1], label: m[2], start: offsets[0], end: offsets[offsets.length - 1], text: m[4], line: index });
    });
    return result;
  }

  /** Adds `T<n> LABEL start end text` with the next free T number; returns its id. */
  add(label: string, start: number, end: number, text: string): string {
    const used = this.entities().map((e) => Number(e.id.slice(1)));
    const id = `T${used.length ? Math.max(...used) + 1 : 1}`;
    this.lines.push(`${id}\t${label} ${start} ${end}\t${text.replace(/[\r\n\t]/g, ' ')}`);
    return id;
  }

  /** Changes the label of annotation `id`, keeping its offsets and text. */
  relabel(id: string, label: string): void {
    const entity = this.find(id);
    this.lines[entity.line] = this.lines[entity.line].replace(TEXT_BOUND, (_all, tid, _old, offsets, text) => `${tid}\t${label} ${offsets}\t${text}`);
  }

  /** Lines other than `id`'s own that refer to it (relations, events, attributes, notes, normalizations). */
  referencesTo(id: string): string[] {
    const own = this.find(id).line;
    const ref = new RegExp(`(^|[\\s:])${id}(?=\\s|$)`);
    return this.lines.filter((line, i) => i !== own && ref.test(line.split('\t')[1] ?? ''));
  }

  /** Removes annotation `id` and the attributes, notes and normalizations attached to it. Refuses if a relation
   *  or an event uses it (those are the user's work too; they must be edited by hand). */
  remove(id: string): void {
    const references = this.referencesTo(id);
    const blocking = references.filter((line) => !/^[AMN#]/.test(line));
    if (blocking.length) throw new Error(`${this.path}: ${id} is used by "${blocking[0].split('\t')[0]}"; edit the file by hand`);
    const drop = new Set([this.find(id).line]);
    this.lines.forEach((line, i) => {
      if (references.includes(line)) drop.add(i);
    });
    const kept = this.lines.filter((_line, i) => !drop.has(i));
    this.lines.splice(0, this.lines.length, ...kept);
  }

  /** Writes the file atomically: a temporary file in the same folder, then a rename over the original. */
  write(): void {
    const temporary = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${Date.now()}.tmp`);
    const content = this.lines.length ? this.lines.join(this.eol) + this.eol : '';
    try {
      writeFileSync(temporary, content, 'utf8');
      renameSync(temporary, this.path);
    } catch (error) {
      if (existsSync(temporary)) unlinkSync(temporary);
      throw error;
    }
  }

  private find(id: string): AnnEntity {
    const entity = this.entities().find((e) => e.id === id);
    if (!entity) throw new Error(`${this.path}: no annotation ${id}`);
    return entity;
  }
}

/** Reads .ann files, re-reading only when the file on disk changed (size or modification time). */
export class AnnFileCache {
  private readonly cache = new Map<string, { stamp: string; file: AnnFile }>();

  get(path: string): AnnFile | undefined {
    let stamp: string;
    try {
      const stat = statSync(path);
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      this.cache.delete(path);
      return undefined;
    }
    const hit = this.cache.get(path);
    if (hit && hit.stamp === stamp) return hit.file;
    const file = AnnFile.read(path);
    this.cache.set(path, { stamp, file });
    return file;
  }

  forget(path: string): void {
    this.cache.delete(path);
  }
}
