// What travels through the queue. A run is one `bioner tag --queue` command: its model fingerprint, output format
// and output root. A job is a batch of output units; a unit is one output file (an input file's whole output, or one
// shard of a large JSONL file's) with the documents that go into it, so a worker needs nothing but the job and the
// output folder. A unit's key is the local runs' completion key (outputs.ts: input content, model fingerprint, output
// options); a job's id hashes the run and its units' keys, so enqueuing the same work twice (a resumed run) adds
// nothing.
import { createHash } from 'node:crypto';
import type { BulkDocument } from '../documents';
import type { OutputPlan } from '../outputs';
import type { OutputFormat } from '../render';

/** The BullMQ queue every run and worker uses (one run per Redis database). */
export const QUEUE_NAME = 'bioner-tag';
/**
 * Documents per job: the smallest of the sizes bench/queue.ts compares (16 / 64 / 256) that loses nothing
 * measurable, i.e. whose throughput is within 5% of the best size's and whose queue cost (Redis round trips, writing
 * and recording each job's output) is at most 1% of a document's tagging time. Smaller jobs lose less to a killed
 * worker and leave workers idle for less time at the end of a run. On a quiet 2-core machine 16 meets both with
 * room: two worker processes tag PubMed abstracts as fast at 16 as at 64 (256 is slower), and the queue costs
 * 0.15 ms per document against 35 ms of tagging (0.4%). README: "Why 16 documents per job".
 * (No network code in this file: the CLI's own bundle reads it for --help.)
 */
export const DEFAULT_BATCH_DOCUMENTS = 16;
/** A job that fails this many times goes to the failed set. */
export const JOB_ATTEMPTS = 3;
/** How often a job may be recovered from a worker that stopped renewing its lock (killed) before it fails. */
export const MAX_STALLED = 3;
/**
 * Where the shards of large JSONL inputs are written, in the output root (hidden: never read as input): one folder per
 * output, holding one folder per input content (its completion key), so that shards of an earlier content of the file
 * are never joined into the output of its current one.
 */
export const SHARDS_DIR = '.bioner-shards';
/** Where the run being served is described (a Redis key beside the queue's own). */
export const RUN_KEY = `bull:${QUEUE_NAME}:bioner-run`;

export interface RunSpec {
  /** Model fingerprint (model/fingerprint.ts): workers with another model refuse the run's jobs. */
  model: string;
  modelName: string;
  format: OutputFormat;
  /** Absolute output root, the same path on every worker. */
  outRoot: string;
}

export interface OutputUnit {
  /** The input file, relative to the input root (what JSONL outputs name). */
  file: string;
  fromJsonl: boolean;
  /** Where it goes (absolute paths, as a local run plans them). */
  plan: OutputPlan;
  documents: BulkDocument[];
  /** outputs.ts completionKey: recorded once the output is in place. */
  key: string;
}

export interface TagJobData {
  run: RunSpec;
  units: OutputUnit[];
}

export interface TagJobResult {
  documents: number;
  tokens: number;
  entities: Record<string, number>;
  /** Per unit, where it was written (an .ann beside a person's may go to .bioner.ann) and the .ann that was kept. */
  units: { writtenTo: string; keptUserAnn?: string }[];
}

export function runId(run: RunSpec): string {
  return sha256(JSON.stringify([run.model, run.format, run.outRoot]));
}

/** "j" + hex: BullMQ wants custom ids that are not plain integers. */
export function jobId(run: RunSpec, units: OutputUnit[]): string {
  return `j${sha256([runId(run), ...units.map((u) => `${u.plan.path}\0${u.key}`)].join('\n')).slice(0, 40)}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A fingerprint as people see it (12 hex digits, like a git hash). */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 12);
}
