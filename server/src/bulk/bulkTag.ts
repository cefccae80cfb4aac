// `bioner tag` over many documents: files are read one at a time, their sentences batched by length across a pool of
// worker threads, and the results written in input order, either to stdout or to one output file per input
// (atomically). At most `maxInFlight` sentences are between reading and writing, so memory stays flat however many
// files there are. An aborted run (Ctrl-C) stops reading and cancels the tagging still queued: files whose documents
// were all tagged are finished, the others discarded (no output appears for them).
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { UserError } from '../errors';
import { loadPasses } from '../tagging/load';
import type { DocumentPass } from '../tagging/passes';
import { tagSegmented } from '../tagging/pipeline';
import type { SentenceTagger } from '../tagging/tagger';
import { languageOfFile, segment } from '../tagging/segmenter';
import type { Sentence } from '../types';
import { countLines, readDocuments, type BulkDocument } from './documents';
import { realPathOf } from '../realPath';
import { discoverInputs, type InputFile } from './inputs';
import { CompletedOutputs, OUR_OUTPUTS_GLOB, planOutputs, type OutputPlan } from './outputs';
import { createProgressReporter, type ProgressMode } from './progress';
import { renderDocument, type OutputFormat, type TaggedDocument } from './render';
import { SentenceBatcher } from './sentenceBatcher';
import { writeFileAtomic } from '../formats/atomicWrite';
import { outputSink, StreamSink, removeTempFilesSync, type DocumentSink } from './sinks';
import { emptySummary, type BulkSummary } from './summary';
import { TaggerPool } from './taggerPool';

export interface BulkTagOptions {
  /** A file, a folder, or "-" for stdin. */
  target: string;
  format: OutputFormat;
  /** Output folder mirroring the input tree; absent (and not inPlace): everything goes to stdout. */
  out?: string;
  /** Write outputs beside the inputs. */
  inPlace?: boolean;
  modelDir: string;
  /** Worker threads; 0 runs the model in this thread. */
  workers: number;
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
}

export interface BulkIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** One input file on its way through the pipeline. */
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
  const format = options.format;
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

  const planned = outRoot ? planOutputs(inputs.files, format, outRoot, !!options.inPlace) : undefined;
  const files = planned?.files ?? inputs.files;

  // 256 sentences per model call. Measured (small neural config, 3,000 PubMed sentences, 2 workers, quiet machine):
  // batch 64 / 128 / 256 / 512 -> 28.5 / 25.6 / 21.6 / 19.0 CPU s and 15.7 / 14.7 / 11.7 / 13.3 s wall; past 256 the
  // few large batches leave a worker idle at the end. The neural tagger re-batches by padded tokens inside a call.
  const batchSize = options.batchSize ?? 256;
  // The model folder's passes first: a malformed terms.tsv fails before any worker starts.
  const passes = loadPasses(options.modelDir);
  const pool = await TaggerPool.start(options.modelDir, options.workers, batchSize);
  const completed = outRoot ? new CompletedOutputs(outRoot, options.modelDir, { format, inPlace: !!options.inPlace }) : undefined;
  // Stops reading on Ctrl-C (options.signal) or when nobody reads stdout any more; the batcher then drops its backlog.
  const stop = new AbortController();
  options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  // Sorting 4 batches' worth of sentences by length keeps padding low; with two batches queued per tagger, about
  // 4 x batchSize sentences per tagger are in flight, enough to keep every worker busy yet see documents finish soon.
  const batcher = new SentenceBatcher(pool, { batchSize, window: 4, depth: 2 }, stop.signal);
  const maxInFlight = pool.size * batchSize * 4;
  const summary = emptySummary(pool.modelName, options.workers);
  const reporter = createProgressReporter(options.progress, io.stderr);
  const single = !inputs.isDirectory;
  const stdoutSink = new StreamSink(io.stdout, () => stop.abort());
  // Progress counts documents: one per text file, one per line of a JSONL file (counted up front, corrected on read).
  const estimates = new Map<InputFile, number>();
  for (const file of files) {
    if (file.kind === 'jsonl' && file.path !== '-') estimates.set(file, await countLines(file.path).catch(() => 1));
  }
  let done = 0;
  let total = files.reduce((n, f) => n + (estimates.get(f) ?? 1), 0);
  const settle = (file: InputFile, documents: number): void => {
    total += documents - (estimates.get(file) ?? 1);
    estimates.delete(file);
  };
  const report = (): void => reporter.update({ done, total, tokens: summary.tokens });
  const skip = (file: InputFile, reason: string): void => {
    const skipped = { file: file.rel, reason };
    summary.skipped.push(skipped);
    reporter.skipped(skipped);
    settle(file, 1);
    done++;
    report();
  };

  // Documents leave in input order through this chain; `inFlight` counts their sentences until written.
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const released = (): void => {
    wake?.();
    wake = undefined;
  };
  /** Queues a step after every earlier one; once a step failed only clean-up steps (`always`) still run. */
  const then = (step: () => Promise<void>, always = false): void => {
    chain = chain.then(() => (failure && !always ? undefined : step())).catch((error: unknown) => {
      failure ??= error;
      released();
    });
  };
  const aborted = (): boolean => stop.signal.aborted;

  try {
    for (const skipped of inputs.skipped) {
      summary.files++;
      summary.skipped.push(skipped);
      reporter.skipped(skipped);
    }
    report();
    for (const file of files) {
      if (aborted() || failure) break;
      summary.files++;
      const planResult = planned?.plans.get(file);
      if (planResult && 'skipped' in planResult) {
        skip(file, planResult.skipped);
        continue;
      }
      const plan = planResult?.plan;
      const key = plan && completed?.keyOf(file.path);
      if (plan && key && !options.force && completed?.isComplete(plan, key)) {
        summary.upToDate++;
        settle(file, 1);
        done++;
        report();
        continue;
      }
      let read;
      try {
        read = await readDocuments(file, options.maxFileSize, { stdin: io.stdin });
      } catch (error) {
        const reason = error instanceof UserError ? error.message : `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
        if (single) throw error instanceof UserError ? error : new UserError(`${file.path}: ${reason}`);
        skip(file, reason);
        continue;
      }
      if ('skipped' in read) {
        if (single) throw new UserError(`${file.path === '-' ? '<stdin>' : file.path}: ${read.skipped}`);
        skip(file, read.skipped);
        continue;
      }
      const documents = read.documents;
      settle(file, documents.length);
      const job: FileJob = { file, sink: plan ? outputSink(plan) : stdoutSink, plan, key };
      if (plan?.textCopy) job.text = documents[0]?.text ?? '';
      const header = fileHeader(format, file, inputs.isDirectory, !!plan);
      if (header) then(() => job.sink.write(header));

      let complete = true;
      for (const doc of documents) {
        if (aborted() || failure) {
          complete = false;
          break;
        }
        const sentences = segment(doc.text, languageOfInput(file));
        const tagged = tagFileDocument(batcher, passes, file, doc, sentences);
        tagged.catch(() => undefined); // reported when the chain reaches it
        const weight = Math.max(1, sentences.length);
        inFlight += weight;
        then(async () => {
          let result: TaggedDocument;
          try {
            result = await tagged;
          } catch (error) {
            if (!aborted()) throw error;
            job.cancelled = true; // cut short by Ctrl-C: the file is discarded below
            return;
          } finally {
            inFlight -= weight;
            released();
          }
          if (job.cancelled) return;
          summary.documents++;
          summary.tokens += result.sentences.reduce((n, s) => n + s.tokens.length, 0);
          for (const e of result.entities) summary.entities[e.label] = (summary.entities[e.label] ?? 0) + 1;
          await job.sink.write(renderFor(format, result, !!plan, inputs.isDirectory, file.kind === 'jsonl'));
          done++;
          report();
        });
        while (inFlight > maxInFlight && !failure) await new Promise<void>((r) => (wake = r));
      }
      // Runs even after a failure, so every temp file is either renamed into place or removed.
      then(async () => {
        if (failure || !complete || job.cancelled) return job.sink.discard();
        if (!job.plan) return;
        if (job.plan.textCopy) await writeFileAtomic(job.plan.textCopy, job.text ?? '');
        await job.sink.commit();
        if (job.sink.keptUserAnn) summary.keptUserAnn.push(job.sink.keptUserAnn);
        if (job.key) completed?.record(job.plan, job.sink.writtenTo ?? job.plan.path, job.key);
        summary.written++;
      }, true);
    }
    await chain;
    if (failure) throw failure;
  } catch (error) {
    removeTempFilesSync();
    reporter.close();
    throw error;
  } finally {
    pool.dispose();
  }
  summary.interrupted = !!options.signal?.aborted;
  summary.seconds = (Date.now() - startedAt) / 1000;
  summary.tokensPerSecond = summary.seconds > 0 ? summary.tokens / summary.seconds : 0;
  summary.peakRssMb = process.resourceUsage().maxRSS / 1024; // kB; covers the worker threads (same process)
  reporter.update({ done, total, tokens: summary.tokens });
  reporter.finish(summary);
  return summary;
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
  // An .ann of its own is stamped when it is written (sinks.ts: StampedAnnSink). JSONL objects name their file;
  // CoNLL documents get -DOCSTART- lines; JSONL input documents get a header each.
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
