// What the stages of one bulk run share (bulkTag.ts and its BulkBackend, backend.ts): the options and plan, the
// summary, the progress (documents done out of the total known so far, failed) and the signal that stops reading.
import type { Readable, Writable } from 'node:stream';
import type { BulkTagOptions } from './bulkTag';
import { countLines } from './documents';
import type { InputFile, InputSet } from './inputs';
import type { CompletedOutputs, PlanResult } from './outputs';
import { createProgressReporter, type ProgressReporter } from './progress';
import { emptySummary, type BulkSummary } from './summary';

export interface BulkIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Stage 1's result: what the run will do. */
export interface RunPlan {
  inputs: InputSet;
  /** The files to go through, in order (outputs of this run are not inputs). */
  files: InputFile[];
  /** Each file's output; absent when everything goes to stdout. */
  outputs?: Map<InputFile, PlanResult>;
  /** The output folder, when outputs go to files. */
  outRoot?: string;
  /** What earlier runs wrote into the output folder (outputs.ts), for resuming; read once the backend has started. */
  completed?: CompletedOutputs;
}

/** The tagging results of some documents, added to the summary. */
export interface TaggedCounts {
  documents: number;
  tokens: number;
  entities: Record<string, number>;
}

export class RunState {
  readonly summary: BulkSummary = emptySummary('', 0);
  readonly reporter: ProgressReporter;
  /** Aborted on Ctrl-C (options.signal) or when nobody reads stdout any more: reading stops, queued tagging is dropped. */
  readonly stop = new AbortController();
  /** stdin, when it was read ahead to learn its size (localBackend.ts: chooseWorkers); undefined bytes: too large. */
  stdinBytes?: { bytes: Buffer | undefined };
  /** Set when a backend failed: reading stops, the failure is reported by its drain(). */
  private halted = false;
  private done = 0;
  private total = 0;
  private failed = 0;
  /** Progress counts documents: one per text file, one per line of a JSONL file (counted up front, corrected on read). */
  private readonly estimates = new Map<InputFile, number>();

  constructor(
    readonly options: BulkTagOptions,
    readonly plan: RunPlan,
    readonly io: BulkIO,
  ) {
    options.signal?.addEventListener('abort', () => this.stop.abort(), { once: true });
    this.reporter = createProgressReporter(options.progress, io.stderr);
  }

  /** Reading goes on: not stopped (Ctrl-C, stdout closed) and no backend failure. */
  get stopped(): boolean {
    return this.stop.signal.aborted || this.halted;
  }

  halt(): void {
    this.halted = true;
  }

  /** The progress total before anything is read: a JSONL file's lines are counted (streamed), other files count one. */
  async estimate(): Promise<void> {
    for (const file of this.plan.files) {
      if (file.kind === 'jsonl' && file.path !== '-') this.estimates.set(file, await countLines(file.path).catch(() => 1));
    }
    this.total = this.plan.files.reduce((n, f) => n + (this.estimates.get(f) ?? 1), 0);
    for (const skipped of this.plan.inputs.skipped) {
      this.summary.files++;
      this.summary.skipped.push(skipped);
      this.reporter.skipped(skipped);
    }
    this.report();
  }

  /** A file turned out to hold `documents` documents (JSONL lines were estimated). */
  settle(file: InputFile, documents: number): void {
    this.total += documents - (this.estimates.get(file) ?? 1);
    this.estimates.delete(file);
  }

  /** A file is not tagged, for `reason`. */
  skip(file: InputFile, reason: string): void {
    const skipped = { file: file.rel, reason };
    this.summary.skipped.push(skipped);
    this.reporter.skipped(skipped);
    this.settle(file, 1);
    this.advance(1);
  }

  /** A file's output is complete already. */
  upToDate(file: InputFile): void {
    this.summary.upToDate++;
    this.settle(file, 1);
    this.advance(1);
  }

  /** Documents tagged: their tokens and entities go into the summary (progress moves with advance()). */
  tagged(counts: TaggedCounts): void {
    this.summary.documents += counts.documents;
    this.summary.tokens += counts.tokens;
    for (const [label, n] of Object.entries(counts.entities)) this.summary.entities[label] = (this.summary.entities[label] ?? 0) + n;
  }

  /** `documents` more are finished (written, or found complete). */
  advance(documents: number): void {
    this.done += documents;
    this.report();
  }

  /** `documents` failed for good (a queue job that failed every attempt). */
  fail(documents: number): void {
    this.failed += documents;
    this.report();
  }

  report(): void {
    this.reporter.update({ done: this.done, total: this.total, tokens: this.summary.tokens, ...(this.summary.queue ? { failed: this.failed } : {}) });
  }

  finish(startedAt: number): BulkSummary {
    const summary = this.summary;
    summary.interrupted = !!this.options.signal?.aborted;
    summary.seconds = (Date.now() - startedAt) / 1000;
    summary.tokensPerSecond = summary.seconds > 0 ? summary.tokens / summary.seconds : 0;
    summary.peakRssMb = process.resourceUsage().maxRSS / 1024; // kB; covers the worker threads (same process)
    this.report();
    this.reporter.finish(summary);
    return summary;
  }
}
