// `bioner tag` over many documents, in four stages:
//   plan   planRun: the input files (inputs.ts), where each one's output goes (outputs.ts), before any model loads
//   read   BulkRun.read: one file at a time into documents (documents.ts); a file that cannot be tagged is skipped
//   tag    BulkRun.tag: each document through the one pipeline (tagging/pipeline.ts), its sentences batched by length
//          with other documents' (sentenceBatcher.ts) and sent to a TaggingBackend (backend.ts; TaggerPool by default)
//   write  WriteQueue: the results in input order, to stdout or to one output file per input (atomically)
// At most `maxInFlight` sentences are between reading and writing, so memory stays flat however many files there
// are. An aborted run (Ctrl-C) stops reading and cancels the tagging still queued: files whose documents were all
// tagged are finished, the others discarded (no output appears for them).
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { UserError } from '../errors';
import { realPathOf } from '../realPath';
import { writeFileAtomic } from '../files/atomicWrite';
import { loadPasses } from '../tagging/load';
import type { DocumentPass } from '../tagging/passes';
import { tagSegmented } from '../tagging/pipeline';
import type { SentenceTagger } from '../tagging/tagger';
import { languageOfFile, segment } from '../tagging/segmenter';
import type { Sentence } from '../types';
import type { TaggingBackend, TaggingBackendFactory } from './backend';
import { countLines, readDocuments, readStream, type BulkDocument } from './documents';
import { discoverInputs, type InputFile, type InputSet } from './inputs';
import { CompletedOutputs, OUR_OUTPUTS_GLOB, planOutputs, type OutputPlan, type PlanResult } from './outputs';
import { createProgressReporter, type ProgressMode, type ProgressReporter } from './progress';
import { renderDocument, type OutputFormat, type TaggedDocument } from './render';
import { SentenceBatcher } from './sentenceBatcher';
import { outputSink, StreamSink, removeTempFilesSync, type DocumentSink } from './sinks';
import { emptySummary, type BulkSummary } from './summary';
import { startTaggerPool } from './taggerPool';

export interface BulkTagOptions {
  /** A file, a folder, or "-" for stdin. */
  target: string;
  format: OutputFormat;
  /** Output folder mirroring the input tree; absent (and not inPlace): everything goes to stdout. */
  out?: string;
  /** Write outputs beside the inputs. */
  inPlace?: boolean;
  modelDir: string;
  /** Worker threads; 0 runs the model in this thread; absent: chosen from the input's size (chooseWorkers). */
  workers?: number;
  include?: string[];
  exclude?: string[];
  /** Tag again even when the output is complete. */
  force?: boolean;
  maxFileSize: number;
  progress: ProgressMode;
  /** Sentences per model call. */
  batchSize?: number;
  /** Aborting stops the run cleanly (Ctrl-C). */
  signal?: AbortSignal;
  /** Where the model runs (backend.ts); default: a TaggerPool of `workers` worker threads. */
  backend?: TaggingBackendFactory;
}

export interface BulkIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Stage 1: what the run will do. */
interface RunPlan {
  inputs: InputSet;
  /** The files to go through, in order (outputs of this run are not inputs). */
  files: InputFile[];
  /** Each file's output; absent when everything goes to stdout. */
  outputs?: Map<InputFile, PlanResult>;
  /** The output folder, when outputs go to files. */
  outRoot?: string;
  /** What earlier runs wrote into the output folder (outputs.ts), for resuming; read once the model has loaded. */
  completed?: CompletedOutputs;
}

/** One input file on its way through the stages. */
interface FileJob {
  file: InputFile;
  sink: DocumentSink;
  plan?: OutputPlan;
  /** What the output is made from (outputs.ts: completionKey), recorded once it is written. */
  key?: string;
  /** BRAT: the text to copy beside the .ann. */
  text?: string;
  /** Some of its documents were not tagged (Ctrl-C): its output is discarded. */
  cancelled?: boolean;
}

export async function bulkTag(options: BulkTagOptions, io: BulkIO): Promise<BulkSummary> {
  const startedAt = Date.now();
  const plan = await planRun(options);
  // 256 sentences per model call: past it, the few large batches leave a worker idle at the end of a run (bench/).
  // The neural tagger re-batches by padded tokens inside a call.
  const batchSize = options.batchSize ?? 256;
  // The model folder's passes first: a malformed terms.tsv fails before any worker starts.
  const passes = loadPasses(options.modelDir);
  const { workers, stdinBytes } = await chooseWorkers(options, plan, io);
  const backend = await (options.backend ?? startTaggerPool)({ modelDir: options.modelDir, workers, batchSize });
  if (plan.outRoot) plan.completed = new CompletedOutputs(plan.outRoot, options.modelDir, { format: options.format, inPlace: !!options.inPlace });
  const run = new BulkRun(plan, backend, passes, batchSize, { ...options, workers }, io, stdinBytes);
  try {
    await run.all();
  } catch (error) {
    removeTempFilesSync();
    run.reporter.close();
    throw error;
  } finally {
    backend.dispose();
  }
  return run.finish(startedAt);
}

/** Stage 1, plan: checks the options, finds the inputs and plans their outputs. Loads no model. */
async function planRun(options: BulkTagOptions): Promise<RunPlan> {
  if (options.inPlace && options.out) throw new UserError('--in-place and --out exclude each other: pick one');
  if (options.target === '-' && (options.out || options.inPlace)) {
    throw new UserError('stdin ("-") is tagged to stdout: drop --out/--in-place, or give a file or folder');
  }
  const outDir = options.out ? resolve(options.out) : undefined;
  const inputs = await discoverInputs(options.target, {
    include: options.include ?? [],
    exclude: [...(options.exclude ?? []), OUR_OUTPUTS_GLOB],
    ignoreDirs: outDir ? [outDir] : [],
  });
  // Real paths: --out may reach the input folder through a symbolic link.
  if (outDir && realPathOf(outDir) === realPathOf(inputs.root)) {
    throw new UserError(`${options.out}: this is the input folder; pass --in-place to write outputs beside the inputs`);
  }
  const outRoot = options.inPlace ? inputs.root : outDir;
  if (!outRoot) return { inputs, files: inputs.files };
  const planned = planOutputs(inputs.files, options.format, outRoot, !!options.inPlace);
  return { inputs, files: planned.files, outputs: planned.plans, outRoot };
}

/** Up to this many bytes of input are tagged in this thread: starting worker threads, each loading the model, takes
 *  longer than tagging that much text in this thread (bench/: "one short note, end to end"). */
export const SMALL_INPUT_BYTES = 64 * 1024;

/**
 * The worker threads of a run: as asked (-w), else none for a small input (SMALL_INPUT_BYTES, all files together)
 * and one per core otherwise. Stdin is read first to know its size (`stdinBytes`, as documents.ts's readStream).
 */
async function chooseWorkers(options: BulkTagOptions, plan: RunPlan, io: BulkIO): Promise<{ workers: number; stdinBytes?: { bytes: Buffer | undefined } }> {
  if (options.workers !== undefined) return { workers: options.workers };
  let bytes = 0;
  let stdinBytes: { bytes: Buffer | undefined } | undefined;
  for (const file of plan.files) {
    if (file.path === '-') {
      stdinBytes = { bytes: await readStream(io.stdin, options.maxFileSize) };
      bytes += stdinBytes.bytes?.length ?? Infinity;
    } else {
      bytes += fileSize(file.path);
    }
    if (bytes > SMALL_INPUT_BYTES) break;
  }
  return { workers: bytes <= SMALL_INPUT_BYTES ? 0 : availableParallelism(), stdinBytes };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // reported when it is read
  }
}

/**
 * Stage 4's order: steps run one after another in the order queued (documents are written in input order whatever
 * order their tagging finishes in). Once a step failed, only `always` steps (clean-up) still run.
 */
class WriteQueue {
  failure: unknown;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly onFailure: () => void) {}

  then(step: () => Promise<void>, always = false): void {
    this.chain = this.chain.then(() => (this.failure && !always ? undefined : step())).catch((error: unknown) => {
      this.failure ??= error;
      this.onFailure();
    });
  }

  /** Waits for every queued step; rethrows the first failure. */
  async drain(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }
}

/** The run of stages 2-4 over a plan: the state they share (progress, summary, sentences in flight). */
class BulkRun {
  readonly reporter: ProgressReporter;
  private readonly summary: BulkSummary;
  private readonly stop = new AbortController();
  private readonly batcher: SentenceBatcher;
  private readonly writes: WriteQueue;
  private readonly stdoutSink: DocumentSink;
  /** Sentences between reading and writing; reading waits while more than maxInFlight are. */
  private inFlight = 0;
  private readonly maxInFlight: number;
  private wake: (() => void) | undefined;
  /** Progress counts documents: one per text file, one per line of a JSONL file (counted up front, corrected on read). */
  private readonly estimates = new Map<InputFile, number>();
  private done = 0;
  private total = 0;

  constructor(
    private readonly plan: RunPlan,
    backend: TaggingBackend,
    private readonly passes: readonly DocumentPass[],
    batchSize: number,
    private readonly options: BulkTagOptions & { workers: number },
    private readonly io: BulkIO,
    private readonly stdinBytes?: { bytes: Buffer | undefined },
  ) {
    // Stops reading on Ctrl-C (options.signal) or when nobody reads stdout any more; the batcher then drops its backlog.
    options.signal?.addEventListener('abort', () => this.stop.abort(), { once: true });
    // Sorting 4 batches' worth of sentences by length keeps padding low; with two batches queued per tagger, about
    // 4 x batchSize sentences per tagger are in flight, enough to keep every worker busy yet see documents finish soon.
    this.batcher = new SentenceBatcher(backend, { batchSize, window: 4, depth: 2 }, this.stop.signal);
    this.maxInFlight = backend.size * batchSize * 4;
    this.summary = emptySummary(backend.modelName, options.workers);
    this.reporter = createProgressReporter(options.progress, io.stderr);
    this.stdoutSink = new StreamSink(io.stdout, () => this.stop.abort());
    this.writes = new WriteQueue(() => this.released());
  }

  /** Stages 2-4 over every planned file. */
  async all(): Promise<void> {
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
    for (const file of this.plan.files) {
      if (this.stopped()) break;
      this.summary.files++;
      const read = await this.read(file);
      if (read) await this.tag(read.job, read.documents);
    }
    await this.writes.drain();
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

  /** Stage 2, read: the file's documents and where they go, or undefined when it is skipped or up to date. */
  private async read(file: InputFile): Promise<{ job: FileJob; documents: BulkDocument[] } | undefined> {
    const planResult = this.plan.outputs?.get(file);
    if (planResult && 'skipped' in planResult) return this.skip(file, planResult.skipped);
    const plan = planResult?.plan;
    const key = plan && this.plan.completed?.keyOf(file.path);
    if (plan && key && !this.options.force && this.plan.completed?.isComplete(plan, key)) {
      this.summary.upToDate++;
      this.settle(file, 1);
      this.done++;
      this.report();
      return undefined;
    }
    const single = !this.plan.inputs.isDirectory;
    let read;
    try {
      const stdin = this.stdinBytes ? { stdinBytes: this.stdinBytes.bytes } : { stdin: this.io.stdin };
      read = await readDocuments(file, this.options.maxFileSize, stdin);
    } catch (error) {
      const reason = error instanceof UserError ? error.message : `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      if (single) throw error instanceof UserError ? error : new UserError(`${file.path}: ${reason}`);
      return this.skip(file, reason);
    }
    if ('skipped' in read) {
      if (single) throw new UserError(`${file.path === '-' ? '<stdin>' : file.path}: ${read.skipped}`);
      return this.skip(file, read.skipped);
    }
    this.settle(file, read.documents.length);
    const job: FileJob = { file, sink: plan ? outputSink(plan) : this.stdoutSink, plan, key };
    if (plan?.textCopy) job.text = read.documents[0]?.text ?? '';
    return { job, documents: read.documents };
  }

  /** Stage 3, tag: sends each document through the pipeline and queues its write (stage 4) in input order. */
  private async tag(job: FileJob, documents: BulkDocument[]): Promise<void> {
    const { file, plan } = job;
    const format = this.options.format;
    const many = this.plan.inputs.isDirectory;
    const header = fileHeader(format, file, many, !!plan);
    if (header) this.writes.then(() => job.sink.write(header));
    const languageId = languageOfInput(file);
    let complete = true;
    for (const doc of documents) {
      if (this.stopped()) {
        complete = false;
        break;
      }
      const sentences = segment(doc.text, languageId);
      const tagged = tagFileDocument(this.batcher, this.passes, file, doc, sentences);
      tagged.catch(() => undefined); // reported when the write queue reaches it
      const weight = Math.max(1, sentences.length);
      this.inFlight += weight;
      this.writes.then(async () => {
        let result: TaggedDocument;
        try {
          result = await tagged;
        } catch (error) {
          if (!this.stop.signal.aborted) throw error;
          job.cancelled = true; // cut short by Ctrl-C: the file is discarded below
          return;
        } finally {
          this.inFlight -= weight;
          this.released();
        }
        if (job.cancelled) return;
        this.count(result);
        await job.sink.write(renderFor(format, result, !!plan, many, file.kind === 'jsonl'));
        this.done++;
        this.report();
      });
      while (this.inFlight > this.maxInFlight && !this.writes.failure) await new Promise<void>((r) => (this.wake = r));
    }
    // Runs even after a failure, so every temp file is either renamed into place or removed.
    this.writes.then(async () => {
      if (this.writes.failure || !complete || job.cancelled) return job.sink.discard();
      if (!job.plan) return;
      if (job.plan.textCopy) await writeFileAtomic(job.plan.textCopy, job.text ?? '');
      await job.sink.commit();
      if (job.sink.keptUserAnn) this.summary.keptUserAnn.push(job.sink.keptUserAnn);
      if (job.key) this.plan.completed?.record(job.plan, job.sink.writtenTo ?? job.plan.path, job.key);
      this.summary.written++;
    }, true);
  }

  private count(result: TaggedDocument): void {
    this.summary.documents++;
    this.summary.tokens += result.sentences.reduce((n, s) => n + s.tokens.length, 0);
    for (const e of result.entities) this.summary.entities[e.label] = (this.summary.entities[e.label] ?? 0) + 1;
  }

  private stopped(): boolean {
    return this.stop.signal.aborted || !!this.writes.failure;
  }

  private released(): void {
    this.wake?.();
    this.wake = undefined;
  }

  private skip(file: InputFile, reason: string): undefined {
    const skipped = { file: file.rel, reason };
    this.summary.skipped.push(skipped);
    this.reporter.skipped(skipped);
    this.settle(file, 1);
    this.done++;
    this.report();
    return undefined;
  }

  /** A file turned out to hold `documents` documents (JSONL lines were estimated). */
  private settle(file: InputFile, documents: number): void {
    this.total += documents - (this.estimates.get(file) ?? 1);
    this.estimates.delete(file);
  }

  private report(): void {
    this.reporter.update({ done: this.done, total: this.total, tokens: this.summary.tokens });
  }
}

/**
 * One document of an input file through the pipeline (tagging/pipeline.ts), its sentences tagged in the batcher's
 * shared batches. `sentences`: the document already segmented (segment(doc.text, languageOfInput(file))).
 */
export async function tagFileDocument(
  batcher: SentenceTagger,
  passes: readonly DocumentPass[],
  file: InputFile,
  doc: BulkDocument,
  sentences: Sentence[] = segment(doc.text, languageOfInput(file)),
): Promise<TaggedDocument> {
  const { entities } = await tagSegmented(batcher, doc.text, sentences, { languageId: languageOfInput(file), passes });
  return { file: file.rel, id: doc.id, line: doc.line, text: doc.text, sentences, entities };
}

/** A JSONL line's text is plain text whatever the file; a .md file's fenced code is not tagged, as in the editor. */
export function languageOfInput(file: InputFile): string {
  return file.kind === 'jsonl' || file.path === '-' ? 'plaintext' : languageOfFile(file.path);
}

/** A line naming the file before its documents, when several files share one output (stdout). */
export function fileHeader(format: OutputFormat, file: InputFile, many: boolean, ownFile: boolean): string | undefined {
  // An .ann of its own is stamped when it is written (sinks.ts: StampedAnnSink); JSONL objects name their file; CoNLL
  // documents get -DOCSTART- lines; JSONL input documents get a header each.
  if (!many || ownFile || format === 'jsonl' || format === 'conll' || file.kind === 'jsonl') return undefined;
  return format === 'inline' ? `==> ${file.rel} <==\n` : `# file = ${file.rel}\n`;
}

/** A document's output, introduced by its name where several documents share one output. */
export function renderFor(format: OutputFormat, doc: TaggedDocument, ownFile: boolean, many: boolean, fromJsonl: boolean): string {
  if (format === 'jsonl') return renderDocument(format, doc);
  if (!fromJsonl) return renderDocument(format, doc, many && !ownFile ? doc.file : undefined);
  const id = doc.id === undefined ? `line ${doc.line}` : String(doc.id);
  if (format === 'conll') return renderDocument(format, doc, id);
  const name = `${doc.id === undefined ? '' : `id = ${doc.id}, `}line = ${doc.line}`;
  if (format === 'inline') return `==> ${ownFile ? '' : `${doc.file} `}${name} <==\n${renderDocument(format, doc)}`;
  return `# ${name}\n${renderDocument(format, doc)}`;
}
