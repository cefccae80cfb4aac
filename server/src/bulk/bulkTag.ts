// `bioner tag` over many documents, in four stages, one code path whatever does the tagging:
//   plan   planRun: the input files (inputs.ts), where each one's output goes (outputs.ts), before any model loads
//   read   readFile: one file at a time into documents (documents.ts; a JSONL file streamed, never held whole); a
//          file that cannot be tagged is skipped, one whose output is complete (outputs.ts) is up to date
//   tag    a BulkBackend (backend.ts) takes each file's documents: LocalBackend by default (localBackend.ts: this
//   write  machine's cores, outputs written here in input order), or the Redis queue (queue/queueBackend.ts: workers
//          on any machine tag and write into the shared output folder)
// The run's progress and summary are shared by the stages (runState.ts), so every backend reports alike.
import { resolve } from 'node:path';
import { UserError } from '../errors';
import { realPathOf } from '../realPath';
import type { BulkBackend, BulkBackendFactory, FileWork } from './backend';
import { readDocuments, scanJsonl, streamJsonl, type BulkDocument } from './documents';
import { discoverInputs, type InputFile } from './inputs';
import { localBackend } from './localBackend';
import { CompletedOutputs, OUR_OUTPUTS_GLOB, planOutputs } from './outputs';
import type { ProgressMode } from '../progress';
import type { OutputFormat } from './render';
import { RunState, type BulkIO, type RunPlan } from './runState';
import { removeTempFilesSync } from './sinks';
import type { BulkSummary } from './summary';

export type { BulkIO } from './runState';
export { SMALL_INPUT_BYTES } from './localBackend';

export interface BulkTagOptions {
  /** A file, a folder, or "-" for stdin. */
  target: string;
  format: OutputFormat;
  /** Output folder mirroring the input tree; absent (and not inPlace): everything goes to stdout. */
  out?: string;
  /** Write outputs beside the inputs. */
  inPlace?: boolean;
  modelDir: string;
  /** Worker threads; 0 runs the model in this thread; absent: chosen from the input's size (localBackend.ts). */
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
  /** What tags and writes (backend.ts); default: this machine (localBackend()). */
  backend?: BulkBackendFactory;
}

export async function bulkTag(options: BulkTagOptions, io: BulkIO): Promise<BulkSummary> {
  const startedAt = Date.now();
  const plan = await planRun(options);
  const run = new RunState(options, plan, io);
  let backend: BulkBackend | undefined;
  try {
    backend = await (options.backend ?? localBackend())(run);
    Object.assign(run.summary, { model: backend.modelName, workers: backend.workers }, backend.queue ? { queue: backend.queue, failed: [] } : {});
    if (plan.outRoot) plan.completed = new CompletedOutputs(plan.outRoot, options.modelDir, { format: options.format, inPlace: !!options.inPlace });
    await run.estimate();
    for (const file of plan.files) {
      if (run.stopped) break;
      run.summary.files++;
      const read = await readFile(run, file);
      if (!read) continue;
      try {
        await backend.submit(read.work, readToTheEnd(file, read.documents));
      } catch (error) {
        // Its documents could not be read to the end (the file changed since it was checked): no output for it.
        if (!(error instanceof UnreadableDocuments) || !plan.inputs.isDirectory) throw error;
        run.skip(file, error.message);
      }
    }
    await backend.drain();
  } catch (error) {
    removeTempFilesSync();
    run.reporter.close();
    throw error;
  } finally {
    await backend?.dispose();
  }
  return run.finish(startedAt);
}

/** A file's documents stopped partway (it changed since it was checked, or a disk error). */
class UnreadableDocuments extends UserError {}

/** The documents, with a failure to read them told apart from a backend's own failure (which stops the run). */
async function* readToTheEnd(file: InputFile, documents: AsyncIterable<BulkDocument> | BulkDocument[]): AsyncGenerator<BulkDocument> {
  try {
    yield* documents;
  } catch (error) {
    throw new UnreadableDocuments(error instanceof UserError ? error.message : `${file.path}: unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
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

/**
 * Stage 2, read: the file's documents and where they go, or undefined when it is skipped or up to date. A JSONL file
 * is checked, counted and hashed in one streamed pass (scanJsonl) and its documents streamed in a second.
 */
async function readFile(run: RunState, file: InputFile): Promise<{ work: FileWork; documents: AsyncIterable<BulkDocument> | BulkDocument[] } | undefined> {
  const { options, plan: runPlan } = run;
  const planResult = runPlan.outputs?.get(file);
  if (planResult && 'skipped' in planResult) return void run.skip(file, planResult.skipped);
  const plan = planResult?.plan;
  const completed = runPlan.completed;
  const single = !runPlan.inputs.isDirectory;
  const label = file.path === '-' ? '<stdin>' : file.path;
  const notTagged = (reason: string): undefined => {
    if (single) throw new UserError(`${label}: ${reason}`);
    return void run.skip(file, reason);
  };
  const isComplete = (key: string | undefined): boolean => !!(plan && key && !options.force && completed?.isComplete(plan, key));
  try {
    if (file.kind === 'jsonl' && file.path !== '-') {
      const scan = await scanJsonl(file.path, options.maxFileSize);
      if ('skipped' in scan) return notTagged(scan.skipped);
      const key = completed?.keyOfHash(scan.hash);
      if (isComplete(key)) return void run.upToDate(file);
      run.settle(file, scan.documents);
      return { work: { file, plan, key, documents: scan.documents }, documents: streamJsonl(file.path, scan.hash) };
    }
    const key = plan && completed?.keyOf(file.path);
    if (isComplete(key)) return void run.upToDate(file);
    const stdin = run.stdinBytes ? { stdinBytes: run.stdinBytes.bytes } : { stdin: run.io.stdin };
    const read = await readDocuments(file, options.maxFileSize, stdin);
    if ('skipped' in read) return notTagged(read.skipped);
    run.settle(file, read.documents.length);
    return { work: { file, plan, key, documents: read.documents.length }, documents: read.documents };
  } catch (error) {
    const reason = error instanceof UserError ? error.message : `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    if (single) throw error instanceof UserError ? error : new UserError(`${file.path}: ${reason}`);
    return void run.skip(file, reason);
  }
}
