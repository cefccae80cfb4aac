// The seams between bulk tagging (bulkTag.ts: plan -> read -> tag -> write) and whatever does the tagging.
//
//   BulkBackend      stages 3-4, tag and write: takes each input file's documents (streamed, in input order) and sees
//                    that its output gets written. bulkTag plans and reads the same way whichever backend it is given:
//                    LocalBackend (localBackend.ts, the default: this machine's cores, outputs written here in input
//                    order) or the Redis queue (queue/queueBackend.ts: jobs that `bioner worker` processes on any
//                    machine tag and write into the shared output folder).
//   TaggingBackend   where a local run's model runs: LocalBackend batches sentences (sentenceBatcher.ts) and sends
//                    each batch to one; it never knows where the model is. Implemented by TaggerPool (taggerPool.ts:
//                    worker threads, or this thread with 0 workers); a queue worker tags with a TaggerPool too.
import type { SentenceTagger } from '../tagging/tagger';
import type { EntityPrediction } from '../types';
import type { BulkDocument } from './documents';
import type { InputFile } from './inputs';
import type { OutputPlan } from './outputs';
import type { RunState } from './runState';

/** One input file, read (bulkTag.ts, stage 2) and handed to a BulkBackend. */
export interface FileWork {
  file: InputFile;
  /** Its output file; absent when the output is stdout. */
  plan?: OutputPlan;
  /** What the output is made from (outputs.ts: completionKey), recorded once it is written. */
  key?: string;
  /** How many documents `documents` will yield. */
  documents: number;
}

export interface BulkBackend {
  /** The model's name (config.json), reported in the run's summary. */
  readonly modelName: string;
  /** Tagger threads of this process (the summary's `workers`); 0 when workers elsewhere tag. */
  readonly workers: number;
  /** Where the work goes, when not to this machine (the summary's `queue`: redis://host:port/db). */
  readonly queue?: string;
  /**
   * Stages 3-4 for one input file: takes its documents in order and sees that its output is written (now or later).
   * Resolves once every document is taken, waiting while too much is in flight (back-pressure: memory stays flat
   * however many or large the files are). A document iterator that throws (the file changed since it was read) makes
   * it reject and the file get no output.
   */
  submit(work: FileWork, documents: AsyncIterable<BulkDocument> | Iterable<BulkDocument>): Promise<void>;
  /** Waits until every file submitted is written or has failed (rejects with the first failure that stops the run). */
  drain(): Promise<void>;
  /** Releases threads and connections. Called once, when the run ends (also after a failure). */
  dispose(): Promise<void>;
}

/** What starts a BulkBackend for a run (after planning, before reading): the run's plan, options and progress. */
export type BulkBackendFactory = (run: RunState) => Promise<BulkBackend>;

export interface TaggingBackend extends SentenceTagger {
  /** The model's name (config.json), reported in the run's summary. */
  readonly modelName: string;
  /**
   * How many batches it tags at once (workers, consumers). The batcher keeps `depth` batches queued per unit and
   * sends at least one batch per unit, so a small job still uses every one.
   */
  readonly size: number;
  /** Batches sent and not yet answered. */
  readonly busy: number;
  /**
   * Tags one batch: result[i] holds the entities of sentences[i] (offsets relative to the sentence). Aborting `signal`
   * (Ctrl-C) should drop the batch if it has not started and must make the promise settle (reject) soon.
   */
  tagSentences(sentences: string[], signal?: AbortSignal): Promise<EntityPrediction[][]>;
  /** Releases workers / connections. Called once, when the run ends (also after a failure). */
  dispose(): void;
}

/** What starts a TaggingBackend for a local run: the model folder, the workers asked for (-w) and the sentences per batch. */
export type TaggingBackendFactory = (options: { modelDir: string; workers: number; batchSize: number }) => Promise<TaggingBackend>;
