// `bioner tag DIR --out OUT --queue redis://...`: the same inputs, plans, completeness rule and summary as a local
// run, but the tagging is done by `bioner worker` processes anywhere, through a BullMQ queue in Redis. This command
// reads and hashes the inputs, skips those whose output is complete (outputs.ts: CompletedOutputs, the record in the
// output folder, which only this command writes), enqueues the rest in jobs of about
// `batchDocuments` documents, follows the jobs to the end (one progress bar), assembles the shards of large JSONL
// files in input order, and lists the jobs that failed. At most MAX_PENDING jobs are queued at once, so Redis holds a
// bounded slice of the corpus however large it is.
//
// It polls the state of its own jobs rather than listening to events: a job that vanished (Redis restarted without
// its data, `bioner queue clean`) is enqueued again, and a Redis that stays unreachable for `giveUpMs` stops the run
// with an error; the same command run again resumes.
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { UserError } from '../../errors';
import { modelFingerprint } from '../../model/fingerprint';
import { ModelLoadError } from '../../tagging/load';
import { fileHeader, type BulkIO, type BulkTagOptions } from '../bulkTag';
import { countLines, readDocuments } from '../documents';
import { discoverInputs, type InputFile } from '../inputs';
import { CompletedOutputs, completionKey, OUR_OUTPUTS_GLOB, planOutputs, type OutputPlan } from '../outputs';
import { createProgressReporter } from '../progress';
import { removeStaleTempFiles, tempPathFor } from '../sinks';
import { emptySummary, type BulkSummary } from '../summary';
import { connectionOptions, parseQueueAddress, type QueueAddress } from './connection';
import { RedisWatch, sleep, withTimeout } from './redisWatch';
import { JOB_ATTEMPTS, jobId, QUEUE_NAME, RUN_KEY, runId, sha256, type OutputUnit, type RunSpec, type TagJobData, type TagJobResult } from './jobs';

export interface QueueTagOptions extends BulkTagOptions {
  /** redis://host:port[/db] */
  queue: string;
  /** Documents per job (a large JSONL file is cut into shards of this many). */
  batchDocuments?: number;
  /** Stop with an error when Redis is unreachable this long (ms). */
  giveUpMs?: number;
}

/**
 * Documents per job: 64 abstracts are a few seconds of tagging for a 2-core worker, short enough that a killed worker
 * loses little and the last jobs of a run balance across workers, long enough that a job's few Redis round trips are
 * noise and its sentences fill whole model batches. bench/queue.ts compares 16 / 64 / 256 (README: its figures).
 */
export const DEFAULT_BATCH_DOCUMENTS = 64;
/** Jobs queued and not yet settled, at most. */
const MAX_PENDING = 512;
/** A job's text is kept under this many UTF-16 units (a few MB in Redis), whatever its document count. */
const MAX_JOB_CHARS = 4_000_000;
const POLL_MS = 200;
/** Where the shards of large JSONL inputs are written, in the output root (hidden: never read as input). */
const SHARDS_DIR = '.bioner-shards';

/** Who waits on a unit: a whole file, or one shard of a large JSONL file. */
type Owner = { kind: 'file'; file: InputFile } | { kind: 'shard'; sharded: ShardedFile };

interface ShardedFile {
  file: InputFile;
  plan: OutputPlan;
  key: string;
  /** Shard outputs (absolute), in input order. */
  shards: string[];
  remaining: number;
  failed: boolean;
}

interface PendingJob {
  data: TagJobData;
  owners: Owner[];
  documents: number;
}

export async function queueTag(options: QueueTagOptions, io: BulkIO): Promise<BulkSummary> {
  const startedAt = Date.now();
  const format = options.format;
  if (options.target === '-') throw new UserError('--queue tags files and folders, not stdin ("-")');
  if (options.inPlace || !options.out) {
    throw new UserError('--queue needs --out DIR: the workers write the outputs there (a folder every worker reaches at the same path)');
  }
  const address = parseQueueAddress(options.queue);
  const model = describeModel(options.modelDir);
  const outRoot = resolve(options.out);
  const inputs = await discoverInputs(options.target, {
    include: options.include ?? [],
    exclude: [...(options.exclude ?? []), OUR_OUTPUTS_GLOB],
    ignoreDirs: [outRoot],
  });
  if (outRoot === inputs.root) throw new UserError(`${options.out}: this is the input folder; --queue writes to another folder`);
  const { files, plans } = planOutputs(inputs.files, format, outRoot, false);
  const completed = new CompletedOutputs(outRoot, options.modelDir, { format, inPlace: false });
  const run: RunSpec = { model: model.fingerprint, modelName: model.name, format, outRoot };
  const batchDocuments = Math.max(1, options.batchDocuments ?? DEFAULT_BATCH_DOCUMENTS);
  const giveUpMs = options.giveUpMs ?? 30_000;
  const single = !inputs.isDirectory;

  const summary = emptySummary(model.name, 0);
  summary.queue = address.label;
  summary.failed = [];
  const reporter = createProgressReporter(options.progress, io.stderr);
  const estimates = new Map<InputFile, number>();
  for (const file of files) if (file.kind === 'jsonl') estimates.set(file, await countLines(file.path).catch(() => 1));
  let total = files.reduce((n, f) => n + (estimates.get(f) ?? 1), 0);
  let done = 0;
  let failedDocuments = 0;
  const report = (): void => reporter.update({ done, total, tokens: summary.tokens, failed: failedDocuments });
  const settle = (file: InputFile, documents: number): void => {
    total += documents - (estimates.get(file) ?? 1);
    estimates.delete(file);
  };
  const skip = (file: InputFile, reason: string): void => {
    summary.skipped.push({ file: file.rel, reason });
    reporter.skipped({ file: file.rel, reason });
    settle(file, 1);
    done++;
    report();
  };

  const queue = new Queue<TagJobData, TagJobResult>(QUEUE_NAME, { connection: connectionOptions(address, true) });
  let lastError: unknown;
  queue.on('error', (error) => (lastError = error));
  const pending = new Map<string, PendingJob>();
  const outputFolders = new Set<string>();
  const redis = new RedisWatch(address, giveUpMs, () => lastError, pending);
  let vanished = 0;

  /** Enqueues a job, first dropping a failed job of the same id left by an earlier run (so it is tried again). */
  const enqueue = async (id: string, job: PendingJob): Promise<void> => {
    await redis.retry(async () => {
      const state = await queue.getJobState(id);
      if (state === 'failed') await (await queue.getJob(id))?.remove();
      await queue.add('tag', job.data, {
        jobId: id,
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: false, // removed here once its result is read
        removeOnFail: false,
      });
    });
  };

  const assemble = async (sharded: ShardedFile): Promise<void> => {
    // The shards, concatenated in order into a temp file renamed over the output: the same bytes a local run writes.
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
    completed.record(sharded.plan, target, sharded.key);
    const shardDir = dirname(sharded.shards[0]);
    await rm(shardDir, { recursive: true, force: true });
    removeEmptyFolders(dirname(shardDir), outRoot);
    summary.written++;
  };

  /** A job is settled: completed with `result`, or failed (`failure`). */
  const finishUnits = async (job: PendingJob, result: TagJobResult | undefined, failure?: { id: string; reason: string }): Promise<void> => {
    if (result) {
      summary.documents += result.documents;
      summary.tokens += result.tokens;
      for (const [label, n] of Object.entries(result.entities)) summary.entities[label] = (summary.entities[label] ?? 0) + n;
      done += job.documents;
    } else {
      failedDocuments += job.documents;
      const names = [...new Set(job.data.units.map((u) => u.file))];
      summary.failed!.push({ job: failure?.id ?? '', files: names, reason: failure?.reason ?? 'failed' });
    }
    job.owners.forEach((owner, i) => {
      const unit = job.data.units[i];
      const written = result?.units[i];
      if (written) completed.record(unit.plan, written.writtenTo, unit.key);
      if (written?.keptUserAnn) summary.keptUserAnn.push(written.keptUserAnn);
      if (owner.kind === 'file' && written) summary.written++;
    });
    for (const owner of job.owners) {
      if (owner.kind === 'file') continue;
      const sharded = owner.sharded;
      if (!result) sharded.failed = true;
      if (--sharded.remaining === 0 && !sharded.failed) await assemble(sharded);
    }
    report();
  };

  /** Looks at every pending job once: settles the finished ones, enqueues again the ones Redis lost. */
  const poll = async (): Promise<void> => {
    await sleep(POLL_MS);
    await redis.retry(async () => {
      const ids = [...pending.keys()];
      const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        const job = pending.get(id)!;
        if (states[i] === 'completed' || states[i] === 'failed') {
          const record = await queue.getJob(id);
          if (!record) continue; // removed meanwhile: seen as vanished next time
          pending.delete(id);
          if (states[i] === 'completed') {
            await finishUnits(job, record.returnvalue);
            await record.remove().catch(() => undefined);
          } else {
            await finishUnits(job, undefined, { id, reason: `${record.failedReason} (after ${record.attemptsMade} attempts)` });
          }
        } else if (states[i] === 'unknown') {
          vanished++;
          await enqueue(id, job);
        }
      }
    });
  };

  let current: { units: OutputUnit[]; owners: Owner[]; documents: number; chars: number } = { units: [], owners: [], documents: 0, chars: 0 };
  const flush = async (): Promise<void> => {
    if (!current.units.length) return;
    const data: TagJobData = { run, units: current.units };
    // --force: a new id, so a finished job of an earlier run is not taken for this one.
    const id = options.force ? jobId(run, current.units) + Date.now().toString(36) : jobId(run, current.units);
    const job: PendingJob = { data, owners: current.owners, documents: current.documents };
    current = { units: [], owners: [], documents: 0, chars: 0 };
    pending.set(id, job);
    await enqueue(id, job);
    while (pending.size >= MAX_PENDING && !options.signal?.aborted) await poll();
  };
  const addUnit = async (unit: OutputUnit, owner: Owner): Promise<void> => {
    const chars = unit.documents.reduce((n, d) => n + d.text.length, 0);
    if (current.units.length && current.chars + chars > MAX_JOB_CHARS) await flush();
    current.units.push(unit);
    current.owners.push(owner);
    current.documents += unit.documents.length;
    current.chars += chars;
    outputFolders.add(dirname(unit.plan.path));
    if (current.documents >= batchDocuments) await flush();
  };

  try {
    await redis.connect(queue);
    await claimRun(queue, run, address);
    report();
    for (const file of files) {
      if (options.signal?.aborted) break;
      summary.files++;
      const planned = plans.get(file)!;
      if ('skipped' in planned) {
        skip(file, planned.skipped);
        continue;
      }
      const plan = planned.plan;
      const key = completed.keyOf(file.path);
      if (key && !options.force && completed.isComplete(plan, key)) {
        summary.upToDate++;
        settle(file, 1);
        done++;
        report();
        continue;
      }
      let read;
      try {
        read = await readDocuments(file, options.maxFileSize);
      } catch (error) {
        const reason = error instanceof UserError ? error.message : `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
        if (single) throw error instanceof UserError ? error : new UserError(`${file.path}: ${reason}`);
        skip(file, reason);
        continue;
      }
      if ('skipped' in read || !key) {
        const reason = 'skipped' in read ? read.skipped : 'unreadable';
        if (single) throw new UserError(`${file.path}: ${reason}`);
        skip(file, reason);
        continue;
      }
      const documents = read.documents;
      settle(file, documents.length);
      const fromJsonl = file.kind === 'jsonl';
      if (documents.length <= batchDocuments || !fromJsonl) {
        await addUnit({ file: file.rel, fromJsonl, plan, documents, key }, { kind: 'file', file });
        continue;
      }
      // A large JSONL file: shards of batchDocuments documents, each its own output under SHARDS_DIR (recorded like
      // any output, so a resumed run keeps them), joined in input order when the last one is in.
      const shardDir = join(outRoot, SHARDS_DIR, relative(outRoot, plan.path));
      const count = Math.ceil(documents.length / batchDocuments);
      const sharded: ShardedFile = { file, plan, key, shards: [], remaining: count, failed: false };
      const units: OutputUnit[] = [];
      for (let i = 0; i < count; i++) {
        const part = documents.slice(i * batchDocuments, (i + 1) * batchDocuments);
        const shardPlan = { path: join(shardDir, String(i).padStart(6, '0')) };
        const shardKey = completionKey({ input: sha256(JSON.stringify([key, i, part])), model: run.model, format, inPlace: false });
        sharded.shards.push(shardPlan.path);
        if (!options.force && completed.isComplete(shardPlan, shardKey)) sharded.remaining--;
        else units.push({ file: file.rel, fromJsonl, plan: shardPlan, documents: part, key: shardKey });
      }
      if (sharded.remaining === 0) {
        await assemble(sharded);
        done += documents.length;
        report();
        continue;
      }
      for (const unit of units) await addUnit(unit, { kind: 'shard', sharded });
      done += documents.length - units.reduce((n, u) => n + u.documents.length, 0);
    }
    if (!options.signal?.aborted) await flush();
    while (pending.size && !options.signal?.aborted) await poll();
    if (vanished) io.stderr.write(`bioner: ${vanished} job${vanished === 1 ? '' : 's'} vanished from ${address.label} (Redis restarted without its data?) and ${vanished === 1 ? 'was' : 'were'} queued again\n`);
    if (!pending.size && !summary.failed.length) for (const folder of outputFolders) removeStaleTempFiles(folder);
  } catch (error) {
    reporter.close();
    // Closing sends QUIT, which a lost connection cannot: drop the connection first.
    await withTimeout(queue.disconnect(), 1000).catch(() => undefined);
    throw error;
  } finally {
    await withTimeout(queue.close(), 1000).catch(() => undefined);
  }
  summary.interrupted = !!options.signal?.aborted;
  summary.seconds = (Date.now() - startedAt) / 1000;
  summary.tokensPerSecond = summary.seconds > 0 ? summary.tokens / summary.seconds : 0;
  summary.peakRssMb = process.resourceUsage().maxRSS / 1024;
  report();
  reporter.finish(summary);
  if (summary.interrupted && pending.size) {
    io.stderr.write(
      `bioner: ${pending.size} job${pending.size === 1 ? '' : 's'} stay queued on ${address.label}; workers finish them. ` +
        'Run the same command again to collect them, or `bioner queue clean` to drop them.\n',
    );
  }
  return summary;
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
  const configPath = join(resolve(dir), 'config.json');
  let config: { name?: unknown };
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelLoadError(code === 'ENOENT' ? `${configPath}: no model here (config.json is missing)` : `${configPath}: not valid JSON (${(error as Error).message})`);
  }
  return { fingerprint: modelFingerprint(dir), name: typeof config.name === 'string' ? config.name : basename(resolve(dir)) };
}
