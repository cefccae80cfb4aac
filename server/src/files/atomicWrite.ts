// Atomic writes, for every file BioNER writes (annotations, outputs, converted corpora, models, checkpoints): the data goes to a temp file in the same directory
// (same file system, so rename is atomic), is fsync'ed, then renamed over the target. A crash or a full disk leaves
// either the old file or the new one, never a truncated mix. The target's permission bits are kept. A symbolic link
// is written through to its target. A file with several hard links is rewritten in place so every name sees the new
// content; that is not atomic, so the temp file holding the new content is only removed once it succeeded.
import { chmodSync, closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Where writing `file` must land: a symbolic link is followed to its target (as `>` in a shell does), so the link
 * stays a link and the file it points at gets the data. A missing file is itself.
 */
export function writeTargetOf(file: string): string {
  let path = file;
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = readlinkSync(path);
    } catch {
      return path; // not a link (or not there yet)
    }
    path = resolve(dirname(path), link);
  }
  throw Object.assign(new Error(`${file}: too many levels of symbolic links`), { code: 'ELOOP' });
}

/**
 * Puts a finished temp file (same folder) in place of `target`: renamed over it, or, when `target` has other hard
 * links, copied into it so that every link sees the new content (the temp file then stays until that succeeded).
 */
export function replaceWithTempSync(temp: string, target: string): void {
  let links = 1;
  try {
    links = statSync(target).nlink;
  } catch {
    // a new file
  }
  if (links <= 1) {
    renameSync(temp, target);
    return;
  }
  const bytes = readFileSync(temp);
  const fd = openSync(target, 'r+');
  try {
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written, written);
    ftruncateSync(fd, bytes.byteLength);
    fsyncSync(fd);
  } catch (error) {
    // Not atomic here: the target may be half-written, so the complete new content stays in the temp file.
    throw Object.assign(new Error(`${target}: could not rewrite it in place (${(error as Error).message}); its new content is in ${temp}`), {
      code: (error as NodeJS.ErrnoException).code,
      keepTemp: true,
    });
  } finally {
    closeSync(fd);
  }
  rmSync(temp, { force: true });
}

/**
 * Writes `data` (UTF-8 for strings) to `file` atomically, creating or replacing it; through a symbolic link to its
 * target, and into a file with several hard links in place (replaceWithTempSync).
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const target = writeTargetOf(file);
  const tmp = tempPathFor(target);
  let mode: number | undefined;
  try {
    mode = statSync(target).mode & 0o7777;
  } catch {
    mode = undefined; // a new file gets the default mode
  }
  try {
    const fd = openSync(tmp, 'wx', mode ?? 0o666);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let written = 0;
      while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (mode !== undefined) chmodSync(tmp, mode); // openSync's mode is filtered by the umask
    replaceWithTempSync(tmp, target);
  } catch (error) {
    if (!(error as { keepTemp?: boolean }).keepTemp) rmSync(tmp, { force: true });
    throw error;
  }
  syncDirectory(dirname(target));
}

/** Async form for the language server (the work is small; it runs synchronously in a microtask). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  writeFileAtomicSync(file, data);
}

/** Makes the rename durable; not supported on every platform (Windows), where it is skipped. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether process `pid` is still running: temp files named with the pid of a process that is gone were left by a
 * run killed outright (kill -9, power loss) and may be removed.
 */
export function processIsRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
