// The Redis queue as a BulkBackend (backend.ts): `bioner tag DIR --out OUT --queue redis://...` plans and reads
// exactly as a local run (bulkTag.ts: the same inputs, plans, completeness rule, progress and summary), but hands each
// file's documents to this backend, which enqueues them in jobs of about `batchDocuments` documents on a BullMQ
// queue; `bioner worker` processes anywhere tag them and write the outputs into OUT. It follows its jobs to the end,
// records each output as complete when its job is acknowledged, joins the shards of large JSONL files in input
// order, and lists the jobs that failed. At most MAX_PENDING jobs are queued at once, so Redis, and this process,
// hold a bounded slice of the corpus however large it is: a JSONL file of any size is streamed into shards.
//
// It polls the state of its own jobs rather than listening to events: a job that vanished (Redis restarted without
// its data, `bioner queue clean`) is enqueued again, and a Redis that stays unreachable for `giveUpMs` stops the run
// with an error; the same command run again resumes.
import { mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { UserError } from '../../errors';
import { modelFingerprint } from '../../model/fingerprint';
import { readModelFolderConfig } from '../../model/folder';
import { ModelLoadError } from '../../tagging/load';
import type { BulkBackend, BulkBackendFactory, FileWork } from '../backend';
import type { BulkDocument } from '../documents';
import { completionKey, type OutputPlan } from '../outputs';
import type { RunState } from '../runState';
import { removeStaleTempFiles, tempPathFor } from '../sinks';
import { plural } from '../summary';
import { connectionOptions, parseQueueAddress, type QueueAddress } from './connection';
import { RedisWatch, sleep, withTimeout } from './redisWatch';
import { DEFAULT_BATCH_DOCUMENTS, JOB_ATTEMPTS, jobId, QUEUE_NAME, RUN_KEY, runId, sha256, SHARDS_DIR, type OutputUnit, type RunSpec, type TagJobData, type TagJobResult } from './jobs';

export interface QueueOptions {
  /** redis://host:port[/db] */
  queue: string;
  /** Documents per job (a large JSONL file is cut into shards of this many). */
  batchDocuments?: number;
  /** Stop with an error when Redis is unreachable this long (ms). */
  giveUpMs?: number;
}

/** Jobs queued and not yet settled, at most. */
const MAX_PENDING = 512;
/** A job's text is kept under this many UTF-16 units (a few MB in Redis), whatever its document count. */
const MAX_JOB_CHARS = 4_000_000;
const POLL_MS = 200;

/** Who waits on a unit: a whole file, or one shard of a large JSONL file. */
type Owner = { kind: 'file' } | { kind: 'shard'; sharded: ShardedFile };

interface ShardedFile {
  plan: OutputPlan;
  key: string;
  /** Shard outputs (absolute), in input order. */
  shards: string[];
  /** Shards not yet written; the file is joined when none is left and every shard has been handed out. */
  remaining: number;
  allSubmitted: boolean;
  failed: boolean;
}

interface PendingJob {
  data: TagJobData;
  owners: Owner[];
  documents: number;
}

/** The queue backend's factory, for BulkTagOptions.backend. */
export function queueBackend(options: QueueOptions): BulkBackendFactory {
  return async (run) => {
    const { target, out, inPlace } = run.options;
    if (target === '-') throw new UserError('--queue tags files and folders, not stdin ("-")');
    if (inPlace || !out) {
      throw new UserError('--queue needs --out DIR: the workers write the outputs there (a folder every worker reaches at the same path)');
    }
    const backend = new QueueBackend(run, options, parseQueueAddress(options.queue));
    try {
      await backend.start();
    } catch (error) {
      await backend.dispose();
      throw error;
    }
    return backend;
  };
}

class QueueBackend implements BulkBackend {
  readonly workers = 0;
  readonly modelName: string;
  readonly queue: string;
  private readonly spec: RunSpec;
  private readonly batchDocuments: number;
  private readonly redis: RedisWatch;
  private readonly jobs: Queue<TagJobData, TagJobResult>;
  private readonly pending = new Map<string, PendingJob>();
  private readonly outputFolders = new Set<string>();
  private current: { units: OutputUnit[]; owners: Owner[]; documents: number; chars: number } = { units: [], owners: [], documents: 0, chars: 0 };
  private lastError: unknown;
  private vanished = 0;

  constructor(
    private readonly run: RunState,
    options: QueueOptions,
    private readonly address: QueueAddress,
  ) {
    const model = describeModel(run.options.modelDir);
    this.modelName = model.name;
    this.queue = address.label;
    this.spec = { model: model.fingerprint, modelName: model.name, format: run.options.format, outRoot: resolve(run.plan.outRoot!) };
    this.batchDocuments = Math.max(1, options.batchDocuments ?? DEFAULT_BATCH_DOCUMENTS);
    this.jobs = new Queue<TagJobData, TagJobResult>(QUEUE_NAME, { connection: connectionOptions(address, true) });
    this.jobs.on('error', (error) => (this.lastError = error));
    this.redis = new RedisWatch(address, options.giveUpMs ?? 30_000, () => this.lastError, this.pending);
  }

  async start(): Promise<void> {
    await this.redis.connect(this.jobs);
    await claimRun(this.jobs, this.spec, this.address);
    await this.takeOverEarlierJobs();
  }

  /**
   * Jobs that an earlier run of this command left (it was stopped, or lost Redis) may be for inputs that changed
   * since. Those still queued are dropped, and this run queues again the ones it needs (the same content gives the
   * same job id, so a job finished meanwhile is collected, not tagged again); those in a worker's hands are waited
   * for, so that none of them writes an output after this run wrote the same one.
   */
  private async takeOverEarlierJobs(): Promise<void> {
    const { stderr } = this.run.io;
    const label = this.address.label;
    let dropped = 0;
    const dropQueued = (): Promise<void> =>
      this.redis.retry(async () => {
        const queued = Object.values(await this.jobs.getJobCounts('waiting', 'delayed', 'prioritized')).reduce((a, b) => a + b, 0);
        if (queued) await this.jobs.drain(true);
        dropped += queued;
      });
    await dropQueued();
    let active: string[] = [];
    await this.redis.retry(async () => void (active = (await this.jobs.getActive()).flatMap((job) => (job.id ? [job.id] : []))));
    if (active.length) stderr.write(`bioner: ${label}: waiting for ${plural(active.length, 'job')} of an earlier run that workers are tagging\n`);
    while (active.length && !this.run.options.signal?.aborted) {
      await sleep(POLL_MS);
      await this.redis.retry(async () => {
        const states = await Promise.all(active.map((id) => this.jobs.getJobState(id)));
        active = active.filter((_, i) => states[i] === 'active');
      });
    }
    await dropQueued(); // a job of a worker that stopped renewing its lock is back in the queue
    if (dropped) stderr.write(`bioner: ${label}: dropped the ${plural(dropped, 'job')} an earlier run left queued; this run queues again those it needs\n`);
  }

  /**
   * A file of at most batchDocuments documents (or a text file) is one unit of a job, several files sharing a job; a
   * larger JSONL file is streamed into shards of batchDocuments documents, each its own output under SHARDS_DIR
   * (recorded like any output, so a resumed run keeps them), joined in input order when the last one is in.
   */
  async submit(work: FileWork, documents: AsyncIterable<BulkDocument> | Iterable<BulkDocument>): Promise<void> {
    const { file, plan, key } = work;
    if (!plan || !key) throw new UserError(`${file.path}: unreadable`); // planned with --out; read, so hashed
    const fromJsonl = file.kind === 'jsonl';
    if (fromJsonl) this.removeEarlierShards(file.path, plan, key);
    if (work.documents <= this.batchDocuments || !fromJsonl) {
      const all: BulkDocument[] = [];
      for await (const doc of documents) all.push(doc);
      return this.addUnit({ file: file.rel, fromJsonl, plan, documents: all, key }, { kind: 'file' });
    }
    const shardDir = join(this.shardsOf(plan), shardFolder(key));
    const sharded: ShardedFile = { plan, key, shards: [], remaining: 0, allSubmitted: false, failed: false };
    let part: BulkDocument[] = [];
    const shard = async (): Promise<void> => {
      const i = sharded.shards.length;
      const shardPlan = { path: join(shardDir, String(i).padStart(6, '0')) };
      const shardKey = completionKey({ input: sha256(JSON.stringify([key, i, part])), model: this.spec.model, format: this.spec.format, inPlace: false });
      sharded.shards.push(shardPlan.path);
      const documents = part;
      part = [];
      if (!this.run.options.force && this.run.plan.completed?.isComplete(shardPlan, shardKey)) return this.run.advance(documents.length);
      sharded.remaining++;
      await this.addUnit({ file: file.rel, fromJsonl, plan: shardPlan, documents, key: shardKey }, { kind: 'shard', sharded });
    };
    try {
      for await (const doc of documents) {
        if (this.run.stopped) return;
        part.push(doc);
        if (part.length === this.batchDocuments) await shard();
      }
      if (part.length) await shard();
    } catch (error) {
      sharded.failed = true;
      throw error;
    } finally {
      sharded.allSubmitted = !this.run.stopped;
    }
    if (sharded.remaining === 0 && !sharded.failed) await this.assemble(sharded);
  }

  async drain(): Promise<void> {
    const aborted = (): boolean => !!this.run.options.signal?.aborted;
    if (!aborted()) await this.flush();
    while (this.pending.size && !aborted()) await this.poll();
    const stderr = this.run.io.stderr;
    const { vanished, pending } = this;
    if (vanished) stderr.write(`bioner: ${plural(vanished, 'job')} vanished from ${this.address.label} (Redis restarted without its data?) and ${vanished === 1 ? 'was' : 'were'} queued again\n`);
    if (!pending.size && !this.run.summary.failed?.length) {
      for (const folder of this.outputFolders) removeStaleTempFiles(folder);
      if (!aborted()) await this.removeLeftovers();
    }
    if (aborted() && pending.size) {
      stderr.write(
        `bioner: ${pending.size} job${pending.size === 1 ? '' : 's'} stay queued on ${this.address.label}; workers finish them. ` +
          'Run the same command again to collect them, or `bioner queue clean` to drop them.\n',
      );
    }
  }

  async dispose(): Promise<void> {
    // Closing sends QUIT, which a lost connection cannot: then the connection is dropped.
    await withTimeout(this.jobs.close(), 1000).catch(() => withTimeout(this.jobs.disconnect(), 1000).catch(() => undefined));
  }

  /** Enqueues a job, first dropping a failed job of the same id left by an earlier run (so it is tried again). */
  private async enqueue(id: string, job: PendingJob): Promise<void> {
    await this.redis.retry(async () => {
      const state = await this.jobs.getJobState(id);
      if (state === 'failed') await (await this.jobs.getJob(id))?.remove();
      await this.jobs.add('tag', job.data, {
        jobId: id,
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: false, // removed here once its result is read
        removeOnFail: false,
      });
    });
  }

  private async addUnit(unit: OutputUnit, owner: Owner): Promise<void> {
    const chars = unit.documents.reduce((n, d) => n + d.text.length, 0);
    if (this.current.units.length && this.current.chars + chars > MAX_JOB_CHARS) await this.flush();
    this.current.units.push(unit);
    this.current.owners.push(owner);
    this.current.documents += unit.documents.length;
    this.current.chars += chars;
    this.outputFolders.add(dirname(unit.plan.path));
    if (this.current.documents >= this.batchDocuments) await this.flush();
  }

  private async flush(): Promise<void> {
    const { units, owners, documents } = this.current;
    if (!units.length) return;
    const spec = this.spec;
    // --force: a new id, so a finished job of an earlier run is not taken for this one.
    const id = this.run.options.force ? jobId(spec, units) + Date.now().toString(36) : jobId(spec, units);
    const job: PendingJob = { data: { run: spec, units }, owners, documents };
    this.current = { units: [], owners: [], documents: 0, chars: 0 };
    this.pending.set(id, job);
    await this.enqueue(id, job);
    while (this.pending.size >= MAX_PENDING && !this.run.options.signal?.aborted) await this.poll();
  }

  /** Looks at every pending job once: settles the finished ones, enqueues again the ones Redis lost. */
  private async poll(): Promise<void> {
    await sleep(POLL_MS);
    await this.redis.retry(async () => {
      const ids = [...this.pending.keys()];
      const states = await Promise.all(ids.map((id) => this.jobs.getJobState(id)));
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        const job = this.pending.get(id)!;
        if (states[i] === 'completed' || states[i] === 'failed') {
          const record = await this.jobs.getJob(id);
          if (!record) continue; // removed meanwhile: seen as vanished next time
          this.pending.delete(id);
          if (states[i] === 'completed') {
            await this.settle(job, record.returnvalue);
            await record.remove().catch(() => undefined);
          } else {
            await this.settle(job, undefined, { id, reason: `${record.failedReason} (after ${record.attemptsMade} attempts)` });
          }
        } else if (states[i] === 'unknown') {
          this.vanished++;
          await this.enqueue(id, job);
        }
      }
    });
  }

  /** A job is settled: completed with `result`, or failed (`failure`). */
  private async settle(job: PendingJob, result: TagJobResult | undefined, failure?: { id: string; reason: string }): Promise<void> {
    const run = this.run;
    if (result) {
      run.tagged(result);
      run.advance(job.documents);
    } else {
      const names = [...new Set(job.data.units.map((u) => u.file))];
      run.summary.failed!.push({ job: failure?.id ?? '', files: names, reason: failure?.reason ?? 'failed' });
      run.fail(job.documents);
    }
    job.owners.forEach((owner, i) => {
      const unit = job.data.units[i];
      const written = result?.units[i];
      if (written) run.plan.completed?.record(unit.plan, written.writtenTo, unit.key);
      if (written?.keptUserAnn) run.summary.keptUserAnn.push(written.keptUserAnn);
      if (owner.kind === 'file' && written) run.summary.written++;
    });
    for (const owner of job.owners) {
      if (owner.kind === 'file') continue;
      const sharded = owner.sharded;
      if (!result) sharded.failed = true;
      if (--sharded.remaining === 0 && sharded.allSubmitted && !sharded.failed) await this.assemble(sharded);
    }
  }

  /** The shards, appended in order (one in memory at a time) to a temp file renamed over the output: the bytes a local run writes. */
  private async assemble(sharded: ShardedFile): Promise<void> {
    const target = sharded.plan.path;
    mkdirSync(dirname(target), { recursive: true });
    const temp = tempPathFor(target);
    const handle = await open(temp, 'wx');
    try {
      for (const shard of sharded.shards) await handle.write(await readFile(shard));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    this.run.plan.completed?.record(sharded.plan, target, sharded.key);
    const shards = this.shardsOf(sharded.plan);
    rmSync(shards, { recursive: true, force: true });
    removeEmptyFolders(dirname(shards), this.spec.outRoot);
    this.run.summary.written++;
  }

  /** The folder of an output's shards: one subfolder per content of its input (shardFolder). */
  private shardsOf(plan: OutputPlan): string {
    return join(this.spec.outRoot, SHARDS_DIR, relative(this.spec.outRoot, plan.path));
  }

  /**
   * Shards of another content of a JSONL input, left by an earlier run that stopped before joining them (the file
   * changed since): removed, and said, before this run tags the file as it is now.
   */
  private removeEarlierShards(path: string, plan: OutputPlan, key: string): void {
    const folder = this.shardsOf(plan);
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return; // none
    }
    const stale = names.filter((name) => name !== shardFolder(key));
    if (!stale.length) return;
    for (const name of stale) rmSync(join(folder, name), { recursive: true, force: true });
    removeEmptyFolders(folder, this.spec.outRoot);
    this.run.io.stderr.write(
      `bioner: ${path} changed since an earlier run left shards of it in ${relative(this.spec.outRoot, folder)}: ` +
        'they are removed, and its output is made from what it holds now\n',
    );
  }

  /**
   * A run that ended with every output in place leaves nothing of the queue behind: no shards (of inputs that changed
   * or went away since an earlier run), no jobs that an earlier run saw finish or fail but never collected.
   */
  private async removeLeftovers(): Promise<void> {
    rmSync(join(this.spec.outRoot, SHARDS_DIR), { recursive: true, force: true });
    await this.redis.retry(async () => {
      await this.jobs.clean(0, 0, 'completed');
      await this.jobs.clean(0, 0, 'failed');
    });
  }
}

/**
 * One run per Redis database: a run of another model, format or output folder that still has jobs queued or in
 * progress is not mixed with this one.
 */
async function claimRun(queue: Queue, run: RunSpec, address: QueueAddress): Promise<void> {
  const client = await queue.getBackend().client;
  const id = runId(run);
  const existing = await client.get(RUN_KEY);
  if (existing) {
    const other = JSON.parse(existing) as RunSpec & { id: string };
    if (other.id !== id) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const unfinished = Object.values(counts).reduce((a, b) => a + b, 0);
      if (unfinished > 0) {
        throw new UserError(
          `${address.label} holds an unfinished run (model ${other.modelName}, --format ${other.format}, --out ${other.outRoot}; ` +
            `${unfinished} jobs left): let its workers finish it, run it again to resume, or drop it with ` +
            `\`bioner queue clean --queue ${address.label}\`; or give another database (redis://host:port/N)`,
        );
      }
      await queue.clean(0, 0, 'completed');
      await queue.clean(0, 0, 'failed');
    }
  }
  await client.set(RUN_KEY, JSON.stringify({ id, ...run, startedAt: new Date().toISOString() }));
}

/** The subfolder of an output's shards that holds those of one input content (its completion key). */
function shardFolder(key: string): string {
  return key.slice(0, 16);
}

/** Removes `dir` and its parents up to (not including) `stop` while they are empty. */
function removeEmptyFolders(dir: string, stop: string): void {
  for (let d = dir; d.startsWith(stop) && d !== stop; d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty
    }
  }
}

/** The model's fingerprint and name (config.json's "name", else the folder's), without loading it. */
function describeModel(dir: string): { fingerprint: string; name: string } {
  let name: string;
  try {
    ({ name } = readModelFolderConfig(dir));
  } catch (error) {
    throw error instanceof UserError ? new ModelLoadError(error.message) : error;
  }
  return { fingerprint: modelFingerprint(dir), name };
}
