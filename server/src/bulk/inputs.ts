// Finds what `bioner tag` reads: one file, stdin ("-"), or the .txt/.md/.note/.jsonl files under a folder, filtered
// by --include/--exclude globs. Only paths are listed here (cheap even for a million files); contents are read later,
// one file at a time, so memory stays flat. Nothing is left out silently: a folder that cannot be listed, a FIFO or
// device with an input's name, a name that is not UTF-8 or a link to a folder is reported as skipped, with the reason.
import { statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { realPathOf } from '../realPath';
import { UserError } from '../errors';
import { errorReason, readError } from '../formats/boundedRead';
import { listFolder } from '../formats/listFolder';
import type { SkippedFile } from './summary';

/** How a file's contents become documents: the whole text, or one `{"id","text"}` object per line. */
export type InputKind = 'text' | 'jsonl';

export interface InputFile {
  /** Absolute path, or "-" for stdin. */
  path: string;
  /** Path relative to the input root, with "/" separators (what outputs mirror and reports show). */
  rel: string;
  kind: InputKind;
}

export interface InputSet {
  /** The folder that outputs mirror (the folder given, or the file's folder). */
  root: string;
  /** True when a folder was given (outputs mirror a tree, stdout output gets a header per file). */
  isDirectory: boolean;
  files: InputFile[];
  /** Entries under the folder that look like inputs (or may hold some) but cannot be read: listed, never tagged. */
  skipped: SkippedFile[];
}

export const INPUT_EXTENSIONS = ['.txt', '.md', '.note', '.jsonl'];

export function inputKindOf(path: string): InputKind {
  return extname(path).toLowerCase() === '.jsonl' ? 'jsonl' : 'text';
}

export interface DiscoverOptions {
  include: string[];
  exclude: string[];
  /** Folders never read as input (the output folder when it lies inside the input tree). */
  ignoreDirs?: string[];
}

/** Resolves the command-line target to the list of input files, sorted by path so every run sees the same order. */
export async function discoverInputs(target: string, options: DiscoverOptions): Promise<InputSet> {
  if (target === '-') return { root: process.cwd(), isDirectory: false, files: [{ path: '-', rel: '-', kind: 'text' }], skipped: [] };
  const absolute = resolve(target);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' && !target.includes('\uFFFD') ? new UserError(`${target}: no such file or folder`) : readError(target, error);
  }
  if (!isDirectory) {
    return { root: dirname(absolute), isDirectory: false, files: [{ path: absolute, rel: basename(absolute), kind: inputKindOf(absolute) }], skipped: [] };
  }
  const ignoreDirs = new Set((options.ignoreDirs ?? []).map((dir) => resolve(dir)));
  // Also by real path: an --out that is a symbolic link into the input tree. Folders are walked without following
  // links, so a folder's real path is the root's real path plus its relative path.
  const realRoot = realPathOf(absolute);
  const ignoreReal = new Set((options.ignoreDirs ?? []).map((dir) => realPathOf(dir)));
  const excluded = options.exclude.length ? picomatch(options.exclude, { dot: true }) : () => false;
  const included = options.include.length ? picomatch(options.include, { dot: true }) : () => true;
  const files: InputFile[] = [];
  const skipped: SkippedFile[] = [];
  // Hidden files and folders (.git, our temp files) are not inputs; a link to a folder is not followed (it may loop).
  const listed = listFolder(absolute, {
    skipFolder: (path, rel) => basename(path).startsWith('.') || ignoreDirs.has(path) || ignoreReal.has(join(realRoot, rel)) || excluded(rel),
    onUnreadable: (rel, reason) => skipped.push({ file: `${rel}/`, reason: `folder not read: ${reason}` }),
  });
  for (const { path, rel, dirent } of listed) {
    if (dirent.name.startsWith('.') || excluded(rel)) continue;
    if (!INPUT_EXTENSIONS.includes(extname(dirent.name).toLowerCase()) || !included(rel)) continue;
    // Node shows a name that is not UTF-8 with U+FFFD, a name no file has: it cannot be opened by it.
    if (dirent.name.includes('\uFFFD')) {
      skipped.push({ file: rel, reason: 'its name is not valid UTF-8, so it cannot be opened (rename it)' });
      continue;
    }
    if (dirent.isSymbolicLink()) {
      let stats;
      try {
        stats = statSync(path);
      } catch (error) {
        skipped.push({ file: rel, reason: `a link that leads nowhere (${errorReason(path, error)})` });
        continue;
      }
      if (stats.isDirectory()) {
        skipped.push({ file: rel, reason: 'a link to a folder: not followed' });
        continue;
      }
    }
    // FIFOs, devices and sockets are listed too: reading refuses them with the reason (formats/boundedRead.ts).
    files.push({ path, rel, kind: inputKindOf(rel) });
  }
  return { root: absolute, isDirectory: true, files, skipped };
}
