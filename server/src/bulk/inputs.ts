// Finds what `bioner tag` reads: one file, stdin ("-"), or the .txt/.md/.jsonl files under a folder, filtered by
// --include/--exclude globs. Only paths are listed here (cheap even for a million files); contents are read later,
// one file at a time, so memory stays flat.
import { statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { glob } from 'tinyglobby';
import { UserError } from '../errors';

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
  if (target === '-') return { root: process.cwd(), isDirectory: false, files: [{ path: '-', rel: '-', kind: 'text' }] };
  const absolute = resolve(target);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch {
    throw new UserError(`${target}: no such file or folder`);
  }
  if (!isDirectory) {
    return { root: dirname(absolute), isDirectory: false, files: [{ path: absolute, rel: basename(absolute), kind: inputKindOf(absolute) }] };
  }
  const ignore = [...options.exclude];
  for (const dir of options.ignoreDirs ?? []) {
    const rel = relative(absolute, dir);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) ignore.push(`${rel.split(sep).join('/')}/**`);
  }
  const listed = await glob(INPUT_EXTENSIONS.map((ext) => `**/*${ext}`), {
    cwd: absolute,
    ignore,
    onlyFiles: true,
    followSymbolicLinks: false,
    caseSensitiveMatch: false,
  });
  const included = options.include.length ? picomatch(options.include, { dot: true }) : () => true;
  const files = listed
    .filter((rel) => included(rel))
    .sort()
    .map((rel) => ({ path: resolve(absolute, rel), rel, kind: inputKindOf(rel) }));
  return { root: absolute, isDirectory: true, files };
}
