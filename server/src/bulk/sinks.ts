// Where rendered documents go: stdout (in input order), or one output file per input written atomically: the
// documents stream into a hidden temp file beside the target, which is renamed over the target only when the last
// document is in. A run that stops early discards its temp files, so no half-written output ever exists.
import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, mkdirSync, openSync, readdirSync, rmSync, unlinkSync, writeSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { UserError } from '../errors';
import { processIsRunning, replaceWithTempSync, writeTargetOf } from '../files/atomicWrite';
import { ANN_STAMP, annTarget, bothKept, type OutputPlan } from './outputs';

export interface DocumentSink {
  write(chunk: string): Promise<void>;
  /** All documents are in: make the output visible. */
  commit(): Promise<void>;
  /** Stop: drop whatever was written so far. */
  discard(): Promise<void>;
  /** After commit: the file written, when it is not the one planned (an .ann beside a person's). */
  writtenTo?: string;
  /** After commit: a person's .ann that was kept (the output went beside it). */
  keptUserAnn?: string;
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

/** Our temp names (tempPathFor here, files/atomicWrite.ts): `.<name>.<pid>.<random>.tmp`. */
const TEMP_NAME = /^\..+\.(\d+)\.[a-z0-9]{1,8}\.tmp$/;
const sweptFolders = new Set<string>();
let sweepStaleTempFiles = true;

/**
 * For queue workers (bulk/queue/worker.ts): output folders are shared with processes on other machines, whose pids say
 * nothing here, so this process removes no one else's temp files.
 */
export function keepOtherProcessesTempFiles(): void {
  sweepStaleTempFiles = false;
}

/**
 * Removes the temp files that a run killed outright (kill -9, power loss: no exit handler ran) left in `folder`, once
 * per folder and process. Only our own temp names whose process is gone; a running bioner's files are kept.
 */
export function removeStaleTempFiles(folder: string): void {
  if (!sweepStaleTempFiles || sweptFolders.has(folder)) return;
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

/** One output file, through a symbolic link to its target (files/atomicWrite.ts). */
export class AtomicFileSink implements DocumentSink {
  private readonly temp: string;
  private readonly stream: WriteStream;
  private readonly written: string;
  private settled = false;
  /** The stream's own error (its file could not be opened: the folder went away meanwhile), kept for write/commit. */
  private failure: Error | undefined;

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
    this.stream.on('error', (error) => void (this.failure ??= error)); // never an unhandled 'error' event
  }

  async write(chunk: string): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      await writeChunk(this.stream, chunk);
    } catch (error) {
      throw this.cannotWrite(error);
    }
  }

  async commit(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    try {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) => {
        this.stream.once('error', reject);
        this.stream.end(resolve);
      });
      replaceWithTempSync(this.temp, this.place(this.temp));
    } catch (error) {
      // Not placed (a folder where the file should go, a full disk): the temp file goes now, not at the run's end, so
      // a queue worker that carries on leaves nothing behind.
      rmSync(this.temp, { force: true });
      liveTempFiles.delete(this.temp);
      throw this.cannotWrite(error);
    }
    liveTempFiles.delete(this.temp);
  }

  /** Last look at the finished temp file before it is renamed: returns where it goes. */
  protected place(_temp: string): string {
    return this.written;
  }

  /** A full disk or a read-only folder is the user's to fix: say which file, without a stack. */
  private cannotWrite(error: unknown): UserError {
    if (error instanceof UserError) return error;
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

/**
 * An .ann output, stamped with the hash of its lines (outputs.ts: stampAnn): streamed to its temp file under a stamp
 * whose hash is filled in at the end, and placed only after looking again whether `<stem>.ann` is still ours: a
 * person may have edited it since the run began (then the output goes to `<stem>.bioner.ann`).
 */
export class StampedAnnSink extends AtomicFileSink {
  private readonly hash = createHash('sha256');
  private stamped = false;
  writtenTo?: string;
  keptUserAnn?: string;

  /** `planned`: where the plan expects it (its temp file goes beside that), `<stem>.ann` or `<stem>.bioner.ann`. */
  constructor(
    private readonly stem: string,
    planned: string,
  ) {
    super(planned);
  }

  override async write(chunk: string): Promise<void> {
    if (!this.stamped) {
      this.stamped = true;
      await super.write(ANN_STAMP.head + '0'.repeat(ANN_STAMP.hashLength) + ANN_STAMP.tail);
    }
    this.hash.update(chunk);
    await super.write(chunk);
  }

  override async commit(): Promise<void> {
    if (!this.stamped) await this.write('');
    await super.commit();
  }

  protected override place(temp: string): string {
    const fd = openSync(temp, 'r+');
    try {
      writeSync(fd, this.hash.digest('hex'), Buffer.byteLength(ANN_STAMP.head));
    } finally {
      closeSync(fd);
    }
    const target = annTarget(this.stem);
    if (!target) throw new UserError(bothKept(this.stem));
    this.writtenTo = target.path;
    this.keptUserAnn = target.kept;
    return writeTargetOf(target.path);
  }
}

/** The sink of one planned output file. */
export function outputSink(plan: OutputPlan): DocumentSink {
  return plan.annStem ? new StampedAnnSink(plan.annStem, plan.path) : new AtomicFileSink(plan.path);
}
