// The default BulkBackend (backend.ts): tags on this machine and writes the outputs here.
//   tag    each document through the one pipeline (tagDocument.ts), its sentences batched by length with other
//          documents' (sentenceBatcher.ts) and sent to a TaggingBackend (TaggerPool by default: worker threads)
//   write  WriteQueue: the results in input order, to stdout or to one output file per input (atomically)
// At most `maxInFlight` sentences are between reading and writing, so memory stays flat however many files there
// are. An aborted run (Ctrl-C) cancels the tagging still queued: files whose documents were all tagged are finished,
// the others discarded (no output appears for them).
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { writeFileAtomic } from '../files/atomicWrite';
import { loadPasses } from '../tagging/load';
import type { DocumentPass } from '../tagging/passes';
import { segment } from '../tagging/segmenter';
import type { BulkBackend, BulkBackendFactory, FileWork, TaggingBackend, TaggingBackendFactory } from './backend';
import { readStream, type BulkDocument } from './documents';
import type { TaggedDocument } from './render';
import type { RunState } from './runState';
import { SentenceBatcher } from './sentenceBatcher';
import { outputSink, StreamSink, type DocumentSink } from './sinks';
import { fileHeader, languageOfInput, renderFor, tagFileDocument } from './tagDocument';
import { startTaggerPool } from './taggerPool';

/** Up to this many bytes of input are tagged in this thread: starting worker threads, each loading the model, takes
 *  longer than tagging that much text in this thread (bench/: "one short note, end to end"). */
export const SMALL_INPUT_BYTES = 64 * 1024;

/** 256 sentences per model call: past it, the few large batches leave a worker idle at the end of a run (bench/).
 *  The neural tagger re-batches by padded tokens inside a call. */
export const DEFAULT_BATCH_SIZE = 256;

/** The local backend over `taggers` (default: a TaggerPool of the run's worker threads). */
export function localBackend(taggers: TaggingBackendFactory = startTaggerPool): BulkBackendFactory {
  return async (run) => {
    const batchSize = run.options.batchSize ?? DEFAULT_BATCH_SIZE;
    // The model folder's passes first: a malformed terms.tsv fails before any worker starts.
    const passes = loadPasses(run.options.modelDir);
    const workers = await chooseWorkers(run);
    return new LocalBackend(run, await taggers({ modelDir: run.options.modelDir, workers, batchSize }), passes, batchSize, workers);
  };
}

/**
 * The worker threads of a run: as asked (-w), else none for a small input (SMALL_INPUT_BYTES, all files together)
 * and one per core otherwise. Stdin is read first to know its size (kept in run.stdinBytes for the read stage).
 */
async function chooseWorkers(run: RunState): Promise<number> {
  const { options, plan, io } = run;
  if (options.workers !== undefined) return options.workers;
  let bytes = 0;
  for (const file of plan.files) {
    if (file.path === '-') {
      run.stdinBytes = { bytes: await readStream(io.stdin, options.maxFileSize) };
      bytes += run.stdinBytes.bytes?.length ?? Infinity;
    } else {
      bytes += fileSize(file.path);
    }
    if (bytes > SMALL_INPUT_BYTES) break;
  }
  return bytes <= SMALL_INPUT_BYTES ? 0 : availableParallelism();
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // reported when it is read
  }
}

/**
 * The write stage's order: steps run one after another in the order queued (documents are written in input order
 * whatever order their tagging finishes in). Once a step failed, only `always` steps (clean-up) still run.
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

export class LocalBackend implements BulkBackend {
  private readonly batcher: SentenceBatcher;
  private readonly writes: WriteQueue;
  private readonly stdoutSink: DocumentSink;
  /** Sentences between reading and writing; reading waits while more than maxInFlight are. */
  private inFlight = 0;
  private readonly maxInFlight: number;
  private wake: (() => void) | undefined;

  constructor(
    private readonly run: RunState,
    private readonly taggers: TaggingBackend,
    private readonly passes: readonly DocumentPass[],
    batchSize: number,
    readonly workers: number,
  ) {
    // Sorting 4 batches' worth of sentences by length keeps padding low; with two batches queued per tagger, about
    // 4 x batchSize sentences per tagger are in flight, enough to keep every worker busy yet see documents finish soon.
    this.batcher = new SentenceBatcher(taggers, { batchSize, window: 4, depth: 2 }, run.stop.signal);
    this.maxInFlight = taggers.size * batchSize * 4;
    this.stdoutSink = new StreamSink(run.io.stdout, () => run.stop.abort());
    this.writes = new WriteQueue(() => {
      run.halt();
      this.released();
    });
  }

  get modelName(): string {
    return this.taggers.modelName;
  }

  /** Sends each document through the pipeline and queues its write in input order. */
  async submit(work: FileWork, documents: AsyncIterable<BulkDocument> | Iterable<BulkDocument>): Promise<void> {
    const { file, plan } = work;
    const run = this.run;
    const format = run.options.format;
    const many = run.plan.inputs.isDirectory;
    const sink = plan ? outputSink(plan) : this.stdoutSink;
    let cancelled = false; // some of its documents were not tagged (Ctrl-C): its output is discarded
    let text: string | undefined; // BRAT: the text to copy beside the .ann
    const header = fileHeader(format, file, many, !!plan);
    if (header) this.writes.then(() => sink.write(header));
    const languageId = languageOfInput(file);
    let complete = false;
    try {
      for await (const doc of documents) {
        if (run.stopped) return;
        text ??= doc.text;
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
            if (!run.stop.signal.aborted) throw error;
            cancelled = true; // cut short by Ctrl-C: the file is discarded below
            return;
          } finally {
            this.inFlight -= weight;
            this.released();
          }
          if (cancelled) return;
          run.tagged({ documents: 1, tokens: result.sentences.reduce((n, s) => n + s.tokens.length, 0), entities: countLabels(result) });
          await sink.write(renderFor(format, result, !!plan, many, file.kind === 'jsonl'));
          run.advance(1);
        });
        while (this.inFlight > this.maxInFlight && !this.writes.failure) await new Promise<void>((r) => (this.wake = r));
      }
      complete = true;
    } finally {
      // Runs even after a failure, so every temp file is either renamed into place or removed.
      this.writes.then(async () => {
        if (this.writes.failure || !complete || cancelled) return sink.discard();
        if (!plan) return;
        if (plan.textCopy) await writeFileAtomic(plan.textCopy, text ?? '');
        await sink.commit();
        if (sink.keptUserAnn) run.summary.keptUserAnn.push(sink.keptUserAnn);
        if (work.key) run.plan.completed?.record(plan, sink.writtenTo ?? plan.path, work.key);
        run.summary.written++;
      }, true);
    }
  }

  drain(): Promise<void> {
    return this.writes.drain();
  }

  async dispose(): Promise<void> {
    this.taggers.dispose();
  }

  private released(): void {
    this.wake?.();
    this.wake = undefined;
  }
}

/** Entities per label ("__proto__" is a label like any other). */
export function countLabels(doc: TaggedDocument): Record<string, number> {
  const counts: Record<string, number> = Object.create(null);
  for (const e of doc.entities) counts[e.label] = (counts[e.label] ?? 0) + 1;
  return counts;
}
