// `bioner worker`: takes tagging jobs from the queue, tags their documents with a local pool of tagger threads (the
// same tagging and rendering as a local `bioner tag`), writes each output atomically into the run's output folder,
// and acknowledges with where each went (`bioner tag` records them as complete); a worker that lost a job (stopped past
// its lock) writes nothing of it. A job of another model is put back for other workers and this worker stops with an
// error. SIGTERM finishes the jobs in hand, then exits; a worker killed outright stops renewing its jobs' locks, and
// BullMQ's stalled-job check gives those jobs to another worker.
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import { DelayedError, Worker, type Job } from 'bullmq';
import { UserError } from '../../errors';
import { writeFileAtomic } from '../../files/atomicWrite';
import { modelFingerprint } from '../../model/fingerprint';
import { loadPasses } from '../../tagging/load';
import type { DocumentPass } from '../../tagging/passes';
import { SentenceBatcher } from '../sentenceBatcher';
import { keepOtherProcessesTempFiles, outputSink, type DocumentSink } from '../sinks';
import { TaggerPool } from '../taggerPool';
import { renderFor, tagFileDocument } from '../tagDocument';
import { connectionOptions, parseQueueAddress, redisReason } from './connection';
import { JOB_ATTEMPTS, MAX_STALLED, QUEUE_NAME, shortFingerprint, type OutputUnit, type TagJobData, type TagJobResult } from './jobs';

export interface WorkerOptions {
  queue: string;
  modelDir: string;
  /** Jobs tagged at once, and tagger threads. */
  concurrency: number;
  /** A job's lock lasts this long and is checked for stalls this often (ms); BullMQ's default is 30 s. */
  lockMs: number;
  /** Sentences per model call. */
  batchSize: number;
  /** Aborting it stops the worker gracefully (SIGTERM). */
  signal: AbortSignal;
}

/** Runs until stopped (signal) or refused; resolves with the process exit code. */
export async function runWorker(options: WorkerOptions, stderr: Writable): Promise<number> {
  const address = parseQueueAddress(options.queue);
  // The model folder's passes first: a malformed terms.tsv fails before any worker thread starts.
  const passes = loadPasses(options.modelDir);
  const pool = await TaggerPool.start(options.modelDir, options.concurrency, options.batchSize);
  const model = { fingerprint: modelFingerprint(options.modelDir), name: pool.modelName };
  keepOtherProcessesTempFiles();
  const batcher = new SentenceBatcher(pool, { batchSize: options.batchSize, window: 4, depth: 2 });
  const name = `${hostname()}:${process.pid}`;
  const log = (line: string): void => void stderr.write(`bioner worker: ${line}\n`);
  let refusal: UserError | undefined;
  let lastError = '';

  const worker = new Worker<TagJobData, TagJobResult>(
    QUEUE_NAME,
    async (job, token) => {
      if (job.data.run.model !== model.fingerprint) {
        // Not ours to fail: back to the queue (attempts untouched) for a worker with the run's model.
        refusal ??= new UserError(
          `job ${job.id} is for model ${job.data.run.modelName} (fingerprint ${shortFingerprint(job.data.run.model)}), ` +
            `but this worker has ${model.name} (fingerprint ${shortFingerprint(model.fingerprint)}) from ${options.modelDir}: ` +
            'start the worker with --model pointing at a copy of the run\'s model',
        );
        await job.moveToDelayed(Date.now() + 1000, token);
        stop();
        throw new DelayedError();
      }
      const documents = job.data.units.reduce((n, u) => n + u.documents.length, 0);
      log(`job ${job.id} started (${documents} documents, attempt ${job.attemptsStarted})`);
      const result = await processJob(job, batcher, passes, () => holdsLock(job, token, options.lockMs)).catch((error: unknown) => {
        // Said here, not on BullMQ's 'failed' event, which never comes for a job gone from Redis meanwhile.
        if (error instanceof LostJobError) log(`job ${job.id} not written: ${error.message}`);
        else log(`job ${job.id} failed (attempt ${job.attemptsMade + 1} of ${JOB_ATTEMPTS}): ${(error as Error)?.message ?? error}`);
        throw error;
      });
      log(`job ${job.id} done (${result.documents} documents tagged, ${result.tokens} tokens)`);
      return result;
    },
    {
      connection: connectionOptions(address, false),
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      maxStalledCount: MAX_STALLED,
      name,
      autorun: false,
    },
  );
  worker.on('error', (error) => {
    if (isAboutAJob(error)) return log(error.message);
    const reason = redisReason(error);
    if (reason !== lastError) log(`${address.label}: ${reason} (retrying)`);
    lastError = reason;
  });
  worker.on('ready', () => {
    if (lastError) log(`${address.label}: connected again`);
    lastError = '';
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= worker.close());
  options.signal.addEventListener('abort', () => {
    log('stopping: finishing the jobs in hand');
    void stop();
  });
  log(`${name} serving ${address.label} with model ${model.name} (fingerprint ${shortFingerprint(model.fingerprint)}), ${pool.size} tagger thread${pool.size === 1 ? '' : 's'}`);
  try {
    await worker.run();
    await stop();
  } finally {
    pool.dispose();
  }
  if (refusal) {
    stderr.write(`bioner worker: refused: ${refusal.message}\n`);
    return 1;
  }
  log('stopped');
  return 0;
}

/**
 * Tags every unit of a job and writes each output as a local run does (the same sinks: atomic, .ann stamped). The
 * outputs are placed only while the job is still this worker's: one that was stopped (frozen, swapped out) past its
 * lock has had its job given to another worker, and perhaps dropped by a new run of an input that changed since, so
 * it writes nothing. The check renews the lock for another period, in which the renames are done; a worker stopped
 * for longer than that between the check and the renames is the one case it cannot see (as with any lease).
 */
async function processJob(
  job: Job<TagJobData, TagJobResult>,
  batcher: SentenceBatcher,
  passes: readonly DocumentPass[],
  stillOurs: () => Promise<boolean>,
): Promise<TagJobResult> {
  const { run, units } = job.data;
  const result: TagJobResult = { documents: 0, tokens: 0, entities: Object.create(null) as Record<string, number>, units: [] };
  // Every unit's documents go to the batcher at once, so their sentences are batched together.
  const rendered = await Promise.all(units.map((unit) => tagUnit(unit, run.format, batcher, passes)));
  const sinks: DocumentSink[] = [];
  const lost = (): LostJobError => new LostJobError('this worker lost it (stopped past its lock, the job went back to the queue)');
  try {
    try {
      for (let i = 0; i < units.length; i++) {
        sinks.push(outputSink(units[i].plan));
        await sinks[i].write(rendered[i].text);
      }
    } catch (error) {
      // A worker stopped past its lock can find its job's folder of shards gone with the run that finished it.
      throw (await stillOurs()) ? error : lost();
    }
    if (!(await stillOurs())) throw lost();
    for (let i = 0; i < units.length; i++) {
      const unit = units[i];
      if (unit.plan.textCopy) await writeFileAtomic(unit.plan.textCopy, unit.documents[0]?.text ?? '');
      await sinks[i].commit();
      result.units.push({ writtenTo: sinks[i].writtenTo ?? unit.plan.path, keptUserAnn: sinks[i].keptUserAnn });
      result.documents += unit.documents.length;
      result.tokens += rendered[i].tokens;
      for (const [label, n] of Object.entries(rendered[i].entities)) result.entities[label] = (result.entities[label] ?? 0) + n;
    }
  } finally {
    for (const sink of sinks) await sink.discard(); // those committed are settled: nothing to drop
  }
  return result;
}

class LostJobError extends Error {}

/** BullMQ's word on one job (a lock it could not renew; a job gone from Redis, with a numeric code), not on the connection. */
function isAboutAJob(error: Error): boolean {
  return typeof (error as { code?: unknown }).code === 'number' || error.message.startsWith('could not renew lock for job');
}

/** Whether this worker still holds the job's lock (renewed for another lock period if so). */
async function holdsLock(job: Job, token: string | undefined, lockMs: number): Promise<boolean> {
  return !!token && (await job.extendLock(token, lockMs)) === 1;
}

async function tagUnit(
  unit: OutputUnit,
  format: TagJobData['run']['format'],
  batcher: SentenceBatcher,
  passes: readonly DocumentPass[],
): Promise<{ text: string; tokens: number; entities: Record<string, number> }> {
  const file = { path: unit.file, rel: unit.file, kind: unit.fromJsonl ? ('jsonl' as const) : ('text' as const) };
  const docs = await Promise.all(unit.documents.map((doc) => tagFileDocument(batcher, passes, file, doc)));
  let text = '';
  let tokens = 0;
  const entities: Record<string, number> = Object.create(null); // a "__proto__" label is data
  for (const doc of docs) {
    // A queue run always writes one output per input (--out): rendered as a local run renders those.
    text += renderFor(format, doc, true, true, unit.fromJsonl);
    tokens += doc.sentences.reduce((n, s) => n + s.tokens.length, 0);
    for (const e of doc.entities) entities[e.label] = (entities[e.label] ?? 0) + 1;
  }
  return { text, tokens, entities };
}
