// Where rendered documents go: stdout (in input order), or one output file per input written atomically: the
// documents stream into a hidden temp file beside the target, which is renamed over the target only when the last
// document is in. A run that stops early discards its temp files, so no half-written output ever exists.
import { createWriteStream, mkdirSync, readdirSync, unlinkSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { UserError } from '../errors';
import { processIsRunning, replaceWithTempSync, writeTargetOf } from '../formats/atomicWrite';

export interface DocumentSink {
  write(chunk: string): Promise<void>;
  /** All documents are in: make the output visible. */
  commit(): Promise<void>;
  /** Stop: drop whatever was written so far. */
  discard(): Promise<void>;
}

/** Temp files currently open, so a hard exit (second Ctrl-C) can still remove them. */
const liveTempFiles = new Set<string>();

export function removeTempFilesSync(): void {
  for (const path of liveTempFiles) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  liveTempFiles.clear();
}

/** A hidden temp name in the target's folder (same file system, so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
}

/** Our temp names (tempPathFor here, formats/atomicWrite.ts): `.<name>.<pid>.<random>.tmp`. */
const TEMP_NAME = /^\..+\.(\d+)\.[a-z0-9]{1,8}\.tmp$/;
const sweptFolders = new Set<string>();

/**
 * Removes the temp files that a run killed outright (kill -9, power loss: no exit handler ran) left in `folder`, once
 * per folder and process. Only our own temp names whose process is gone; a running bioner's files are kept.
 */
export function removeStaleTempFiles(folder: string): void {
  if (sweptFolders.has(folder)) return;
  sweptFolders.add(folder);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match || processIsRunning(Number(match[1]))) continue;
    try {
      unlinkSync(join(folder, name));
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** Writes with back-pressure: resolves once the stream can take more. */
export function writeChunk(stream: Writable, chunk: string): Promise<void> {
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** Writes to a stream (stdout). When the reader goes away (EPIPE: `bioner tag ... | head`), later writes are
 * dropped and `onClosed` is called once, so the run can stop quietly. */
export class StreamSink implements DocumentSink {
  private closed = false;

  constructor(private readonly stream: Writable, private readonly onClosed: () => void = () => undefined) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.close();
    });
  }

  async write(chunk: string): Promise<void> {
    if (this.closed) return;
    try {
      await writeChunk(this.stream, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      this.close();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed();
  }

  async commit(): Promise<void> {}
  async discard(): Promise<void> {}
}

/** One output file, through a symbolic link to its target (formats/atomicWrite.ts). */
export class AtomicFileSink implements DocumentSink {
  private readonly temp: string;
  private readonly stream: WriteStream;
  private readonly written: string;
  private settled = false;

  constructor(private readonly target: string) {
    try {
      this.written = writeTargetOf(target);
      mkdirSync(dirname(this.written), { recursive: true });
    } catch (error) {
      throw this.cannotWrite(error);
    }
    removeStaleTempFiles(dirname(this.written));
    this.temp = tempPathFor(this.written);
    liveTempFiles.add(this.temp);
    this.stream = createWriteStream(this.temp, { flags: 'wx' });
  }

  async write(chunk: string): Promise<void> {
    try {
      await writeChunk(this.stream, chunk);
    } catch (error) {
      throw this.cannotWrite(error);
    }
  }

  async commit(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    try {
      await new Promise<void>((resolve, reject) => {
        this.stream.once('error', reject);
        this.stream.end(resolve);
      });
      replaceWithTempSync(this.temp, this.written);
    } catch (error) {
      throw this.cannotWrite(error);
    }
    liveTempFiles.delete(this.temp);
  }

  /** A full disk or a read-only folder is the user's to fix: say which file, without a stack. */
  private cannotWrite(error: unknown): UserError {
    const code = (error as NodeJS.ErrnoException).code;
    return new UserError(`${this.target}: cannot write (${code ?? (error as Error).message})`);
  }

  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await new Promise<void>((resolve) => {
      this.stream.once('error', () => resolve());
      this.stream.end(resolve);
    });
    try {
      unlinkSync(this.temp);
    } catch {
      // never created
    }
    liveTempFiles.delete(this.temp);
  }
}
