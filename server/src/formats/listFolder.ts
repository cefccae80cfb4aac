// The files under a folder, recursively, for every command that reads a folder (tag, convert, train, eval). A folder
// that cannot be listed is never passed over in silence: the caller lists it as skipped, or it is an error naming it.
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import { errorReason } from './boundedRead';

export interface FolderEntry {
  /** Absolute (or root-relative, as `root` was given) path. */
  path: string;
  /** Path relative to the root, with "/" separators. */
  rel: string;
  /** What readdir saw: a link is a link here (not followed into folders). */
  dirent: Dirent;
}

export interface ListOptions {
  /** Folders not to descend into. */
  skipFolder?: (path: string, rel: string) => boolean;
  /** A subfolder that cannot be listed; without it, that is an error naming the folder. */
  onUnreadable?: (rel: string, reason: string) => void;
}

/** Every entry but folders under `root`, depth first, sorted by rel path. An unreadable `root` is always an error. */
export function listFolder(root: string, options: ListOptions = {}): FolderEntry[] {
  const entries: FolderEntry[] = [];
  const walk = (dir: string, relDir: string): void => {
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const reason = `cannot list this folder: ${errorReason(dir, error)}`;
      if (relDir === '' || !options.onUnreadable) throw new UserError(`${dir}: ${reason}`);
      options.onUnreadable(relDir, reason);
      return;
    }
    for (const dirent of dirents) {
      const path = join(dir, dirent.name);
      const rel = relDir ? `${relDir}/${dirent.name}` : dirent.name;
      if (!dirent.isDirectory()) entries.push({ path, rel, dirent });
      else if (!options.skipFolder?.(path, rel)) walk(path, rel);
    }
  };
  walk(root, '');
  return entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
