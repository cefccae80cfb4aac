// The one way bioner reads a file's bytes (text inputs, annotations, model files): only a regular file, opened so
// that it can never wait (a FIFO is refused before anyone writes to it), and never more than a limit however the file
// grows or lies about its size (/proc files say 0, a device says nothing). Every failure is a UserError naming the
// file, so a FIFO or a link to /dev/zero is a clear error, not a hang or gigabytes of memory.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { UserError } from '../errors';

/** The largest text V8 can hold as one string is about 2^29 UTF-16 units: larger text files cannot be read anyway. */
export const MAX_TEXT_BYTES = 512 * 1024 * 1024;
/** config.json, weights.json, vocabularies and term lists of a model folder (the shipped ones are below 1 MB). */
export const MAX_MODEL_FILE_BYTES = 64 * 1024 * 1024;

/** A file larger than the caller's limit (bulk tagging skips it, everything else refuses it). */
export class FileTooLargeError extends UserError {
  constructor(
    readonly file: string,
    readonly limit: number,
  ) {
    super(`${file}: larger than ${limit} bytes`);
  }
}

// O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer (it is then refused).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const CHUNK = 1024 * 1024;

/**
 * The chunks of one bounded read: read into next(), say how many bytes came with took() (false at the end). The first
 * chunk is as large as the file said it was (plus the byte that shows its end), so a file that does not lie is read
 * with one read into one buffer and returned as it is: no second copy (a model's weights.bin is megabytes, and each
 * fresh megabyte touched costs the first colours of the editor time).
 */
class BoundedChunks {
  private readonly chunks: Buffer[] = [];
  private total = 0;
  private current = Buffer.alloc(0);
  /** Bytes of `current` read into so far. */
  private used = 0;

  constructor(
    private readonly file: string,
    private readonly maxBytes: number,
    /** The size the file said it has (0 for /proc files, which say nothing). */
    private readonly sizeHint: number,
  ) {}

  next(): Buffer {
    if (this.used === this.current.length) {
      if (this.used > 0) this.chunks.push(this.current);
      const wanted = this.total === 0 ? Math.max(CHUNK, this.sizeHint + 1) : CHUNK;
      // One byte past the limit: a file of exactly maxBytes is read whole, a larger one is caught.
      this.current = Buffer.allocUnsafe(Math.min(wanted, this.maxBytes + 1 - this.total));
      this.used = 0;
    }
    return this.current.subarray(this.used);
  }

  took(bytes: number): boolean {
    if (bytes === 0) return false;
    this.total += bytes;
    if (this.total > this.maxBytes) throw new FileTooLargeError(this.file, this.maxBytes);
    this.used += bytes;
    return true;
  }

  all(): Buffer {
    const last = this.current.subarray(0, this.used);
    return this.chunks.length === 0 ? last : Buffer.concat([...this.chunks, last], this.total);
  }
}

/** Reads at most `maxBytes` bytes of the regular file `file`; anything else is a UserError naming it. */
export function readFileBoundedSync(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    checkRegular(file, statSync(file));
    fd = openSync(file, OPEN_FLAGS);
  } catch (error) {
    throw readError(file, error);
  }
  try {
    const stats = fstatSync(fd);
    checkRegular(file, stats); // the path may have been replaced between stat and open
    const chunks = new BoundedChunks(file, maxBytes, stats.size);
    for (;;) {
      const chunk = chunks.next();
      if (!chunks.took(readSync(fd, chunk, 0, chunk.length, null))) return chunks.all();
    }
  } catch (error) {
    throw readError(file, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * readFileBoundedSync off the calling thread (libuv's pool): for the language server, where a file on a slow or hung
 * disk must delay only the request that reads it, never the requests of other documents.
 */
export async function readFileBounded(file: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    checkRegular(file, await stat(file));
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    throw readError(file, error);
  }
  try {
    const stats = await handle.stat();
    checkRegular(file, stats); // the path may have been replaced between stat and open
    const chunks = new BoundedChunks(file, maxBytes, stats.size);
    for (;;) {
      const chunk = chunks.next();
      if (!chunks.took((await handle.read(chunk, 0, chunk.length, null)).bytesRead)) return chunks.all();
    }
  } catch (error) {
    throw readError(file, error);
  } finally {
    await handle.close();
  }
}

/** Refuses, naming the file, anything but a regular file (checked on the path before opening it). */
export function assertRegularFile(file: string): void {
  try {
    checkRegular(file, statSync(file));
  } catch (error) {
    throw readError(file, error);
  }
}

function checkRegular(file: string, stats: Stats): void {
  if (stats.isFile()) return;
  if (stats.isDirectory()) throw new UserError(`${file}: is a folder, expected a file`);
  const kind = stats.isFIFO()
    ? 'a FIFO (named pipe)'
    : stats.isCharacterDevice() || stats.isBlockDevice()
      ? 'a device'
      : stats.isSocket()
        ? 'a socket'
        : 'not a regular file';
  throw new UserError(`${file}: is ${kind}, not a regular file (bioner reads only regular files)`);
}

/** The file's errors as a UserError naming it (a UserError passes through). */
export function readError(file: string, error: unknown): UserError {
  if (error instanceof UserError) return error;
  return new UserError(`${file}: ${errorReason(file, error)}`);
}

/** What went wrong with `file`, in words: "no such file", "permission denied", ... */
export function errorReason(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  // Node decodes file names as UTF-8: a name that is not becomes U+FFFD and then names no file.
  if (code === 'ENOENT' && file.includes('\uFFFD')) return 'cannot open: the file name is not valid UTF-8 (rename the file)';
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a folder, expected a file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENAMETOOLONG: 'file name too long',
    ELOOP: 'too many levels of symbolic links',
    ENOTDIR: 'a part of the path is not a folder',
  };
  return reasons[code ?? ''] ?? `cannot read (${(error as Error).message})`;
}

/** A JSON file of a model folder or a config flag, read bounded; bad JSON is a UserError naming the file. */
export function readJsonFileSync(file: string, maxBytes = MAX_MODEL_FILE_BYTES): unknown {
  const text = readFileBoundedSync(file, maxBytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}
