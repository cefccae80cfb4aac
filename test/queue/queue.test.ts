// `bioner tag --queue` and `bioner worker` against a real redis-server on a loopback port (test/queue/redisServer.ts):
// workers killed or stopped mid-job, a worker with another model, Redis restarted or gone, a job that keeps failing,
// a JSONL input that changed between runs, a re-run that collects what workers finished meanwhile, the bound on jobs
// queued at once. Each run's outputs must be the bytes a local `bioner tag` writes. The lexicon test model keeps tagging itself instant.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Queue } from 'bullmq';
import type { TagJobData } from '../../server/src/bulk/queue/jobs';
import { lexiconModel, listFiles, runCli, startCli } from '../fixtures/bulk/cli';
import { startRedis, type RedisServer } from './redisServer';

let redis: RedisServer;
let work: string;
let corpus: string;
let local: string;
const DOCUMENTS = 60 + 300;
const children = new Set<ChildProcess>();

const WORDS = ['aspirin', 'fever', 'cystic fibrosis', 'naloxone', 'Ivacaftor', 'the patient', 'was given', 'after', 'with', 'no'];
function sentence(i: number, n: number): string {
  return `${Array.from({ length: 4 + ((i * 7 + n) % 9) }, (_, k) => WORDS[(i * 3 + k * 5 + n) % WORDS.length]).join(' ')}.`;
}

before(async () => {
  redis = await startRedis();
  work = mkdtempSync(join(tmpdir(), 'bioner-queue-'));
  corpus = join(work, 'corpus');
  for (let i = 0; i < 60; i++) {
    const dir = join(corpus, i % 2 ? 'ward-a' : 'ward-b');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `note${String(i).padStart(2, '0')}.txt`), `${sentence(i, 0)} ${sentence(i, 1)}\n${sentence(i, 2)}\n`);
  }
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: `a${i}`, text: `${sentence(i, 3)} ${sentence(i, 4)}` }));
  writeFileSync(join(corpus, 'abstracts.jsonl'), `${lines.join('\n')}\n`);
  local = join(work, 'local');
  const run = runCli(['tag', corpus, '--out', local, '--model', lexiconModel, '--workers', '1']);
  assert.equal(run.code, 0, run.stderr);
});

// A test that failed half-way leaves its workers and runs behind: they would take the next tests' jobs.
afterEach(async () => {
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  const exited = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(exited);
  children.clear();
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await redis?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A CLI process whose stderr is collected, with a way to wait for a line. */
function start(args: string[]): { child: ChildProcess; stderr: () => string; exited: Promise<number | null>; waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray> } {
  const child = startCli(args);
  children.add(child);
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    async waitFor(pattern, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = stderr.match(pattern);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in:\n${stderr}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

const tagArgs = (out: string, ...extra: string[]) => ['tag', corpus, '--out', out, '--queue', redis.url, '--model', lexiconModel, '--queue-batch', '10', '--progress-json', ...extra];
const workerArgs = (...extra: string[]) => ['worker', '--queue', redis.url, '--model', lexiconModel, '--concurrency', '1', '--lock-ms', '1000', ...extra];

/** Waits (bounded) until `check` holds. */
async function until(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function withQueue<T>(use: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = new Queue('bioner-tag', { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 } });
  queue.on('error', () => undefined); // Redis is stopped on purpose in some tests
  try {
    return await use(queue);
  } finally {
    await queue.close();
  }
}

/**
 * The outputs are byte for byte the local run's, no temp file or shard is left, and the record of completed outputs
 * (.bioner-outputs) holds the same keys as the local run's: a local run would find them complete, and the reverse.
 */
function assertSameAsLocal(out: string): void {
  const files = listFiles(out).filter((f) => f !== '.bioner-outputs');
  assert.deepEqual(files, listFiles(local).filter((f) => f !== '.bioner-outputs'));
  for (const f of files) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(local, f), 'utf8'), f);
  const record = (dir: string) => {
    const entries = new Map<string, string>();
    for (const line of readFileSync(join(dir, '.bioner-outputs'), 'utf8').split('\n').filter(Boolean)) {
      const { output, key, sizes } = JSON.parse(line);
      if (!output.startsWith('.bioner-shards/')) entries.set(output, JSON.stringify([key, sizes]));
    }
    return [...entries].sort();
  };
  assert.deepEqual(record(out), record(local));
}

function doneSummary(stderr: string): { documents: number; written: number; upToDate: number; failed: { job: string; files: string[]; reason: string }[] } {
  const line = stderr.split('\n').find((l) => l.startsWith('{"event":"done"'));
  assert.ok(line, stderr);
  return JSON.parse(line).summary;
}

const startedJobs = (stderr: string): string[] => [...stderr.matchAll(/job (j\w+) started/g)].map((m) => m[1]);

/**
 * Freezes (SIGSTOP) a worker as soon as it reports a job that is still active, so it is caught mid-job; its job id.
 * `beforeWriting`: only where none of the job's outputs is on disk yet, not even as a temp file, so the worker has not
 * yet checked that it still holds the job.
 */
async function freezeMidJob(worker: ReturnType<typeof start>, after = 0, beforeWriting = false): Promise<string> {
  let caught: string | undefined;
  await withQueue(async (queue) => {
    for (let tries = 0, seen = after; tries < 30 && !caught; tries++) {
      await until(() => startedJobs(worker.stderr()).length > seen);
      worker.child.kill('SIGSTOP');
      const started = startedJobs(worker.stderr());
      seen = started.length;
      const id = started[seen - 1];
      if ((await queue.getJobState(id)) === 'active' && (!beforeWriting || (await nothingWrittenOf(queue, id)))) caught = id;
      else worker.child.kill('SIGCONT');
    }
  });
  assert.ok(caught, 'the worker was never stopped in the middle of a job');
  return caught;
}

async function nothingWrittenOf(queue: Queue, id: string): Promise<boolean> {
  const job = await queue.getJob(id);
  const onDisk = (path: string): boolean =>
    existsSync(path) || (existsSync(dirname(path)) && readdirSync(dirname(path)).some((name) => name.startsWith(`.${basename(path)}.`)));
  return !!job && (job.data as TagJobData).units.every(({ plan }) => [plan.path, plan.textCopy].every((path) => !path || !onDisk(path)));
}

const jobCounts = (): Promise<number> => withQueue(async (q) => Object.values(await q.getJobCounts()).reduce((a, b) => a + b, 0));

test('3 workers, one killed with SIGKILL mid-job: its job is recovered, every output written once and equal to the local run', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const out = join(work, 'killed');
  const producer = start(tagArgs(out));
  // 3 s locks: long enough that a busy machine does not lose them, short enough to recover the killed job soon.
  const doomed = start([...workerArgs(), '--lock-ms', '3000']);
  const caught = await freezeMidJob(doomed);
  doomed.child.kill('SIGKILL');
  await doomed.exited;

  const workers = [start([...workerArgs(), '--lock-ms', '3000']), start([...workerArgs(), '--lock-ms', '3000'])];
  assert.equal(await producer.exited, 0, producer.stderr());
  for (const w of workers) w.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all(workers.map((w) => w.exited)), [0, 0]);

  assertSameAsLocal(out);
  const redone = workers.map((w) => w.stderr()).join('');
  assert.match(redone, new RegExp(`job ${caught} started`), 'the killed job was taken by another worker');
  const summary = doneSummary(producer.stderr());
  assert.equal(summary.failed.length, 0);
  assert.equal(summary.written, listFiles(local).length);
  // Every document counted once: the run's count comes from the acknowledged jobs, and the killed worker never
  // acknowledged its job. (A worker that misses renewing a lock on a starved machine may tag a job that another
  // worker also tags: BullMQ delivers at least once; the outputs, written atomically, are the same bytes.)
  assert.equal(summary.documents, DOCUMENTS);
  for (const w of workers) assert.match(w.stderr(), /stopping: finishing the jobs in hand[\s\S]*stopped/);

  // Run again: everything is complete, nothing is enqueued, no worker is needed.
  const again = runCli(tagArgs(out));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(doneSummary(again.stderr).upToDate, 61); // 60 notes and abstracts.jsonl
});

test('a worker with another model refuses the job, which stays for a worker with the run\'s model', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const other = join(work, 'other-model');
  cpSync(lexiconModel, other, { recursive: true });
  writeFileSync(join(other, 'lexicon.tsv'), `${readFileSync(join(lexiconModel, 'lexicon.tsv'), 'utf8')}naproxen\tDRUG\t0.9\n`);
  const out = join(work, 'refused');
  const producer = start(tagArgs(out));
  await until(() => withQueue(async (q) => (await q.getJobCounts('waiting')).waiting > 0));
  const wrong = start([...workerArgs().slice(0, 3), '--model', other, '--concurrency', '1']);
  assert.equal(await wrong.exited, 1);
  assert.match(wrong.stderr(), /refused: job j\w+ is for model test-lexicon \(fingerprint \w{12}\), but this worker has test-lexicon \(fingerprint \w{12}\)/);
  assert.equal(await withQueue(async (q) => (await q.getJobCounts('failed')).failed), 0);
  const right = start(workerArgs());
  assert.equal(await producer.exited, 0, producer.stderr());
  right.child.kill('SIGTERM');
  assert.equal(await right.exited, 0);
  assertSameAsLocal(out);
});

test('Redis restarted empty mid-run: the lost jobs are queued again and the run completes', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const out = join(work, 'restarted');
  // A worker connected before the restart, frozen so that the jobs are still queued when Redis goes.
  const worker = start(workerArgs());
  await worker.waitFor(/serving/);
  worker.child.kill('SIGSTOP');
  const producer = start(tagArgs(out));
  await until(() => withQueue(async (q) => (await q.getJobCounts('waiting')).waiting >= 20));
  await redis.stop();
  await redis.start();
  worker.child.kill('SIGCONT');
  assert.equal(await producer.exited, 0, producer.stderr());
  assert.match(producer.stderr(), /jobs vanished from redis:\/\/127\.0\.0\.1:\d+\/0 \(Redis restarted without its data\?\) and were queued again/);
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited, 0, worker.stderr());
  assertSameAsLocal(out);
});

test('Redis gone for longer than the give-up time: a clear error, and the same command resumes', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const out = join(work, 'gone');
  const producer = start(tagArgs(out, '--queue-give-up', '2'));
  await until(() => withQueue(async (q) => (await q.getJobCounts('waiting')).waiting >= 20));
  await redis.stop();
  assert.equal(await producer.exited, 1);
  assert.match(producer.stderr(), /bioner: redis:\/\/127\.0\.0\.1:\d+\/0: lost the connection to Redis \(\w+\) for 2 s, with \d+ jobs unsettled; .*run the same command again to resume/);
  assert.doesNotMatch(producer.stderr(), /internal error|    at /);
  await redis.start();
  const worker = start(workerArgs());
  const again = start(tagArgs(out));
  assert.equal(await again.exited, 0, again.stderr());
  worker.child.kill('SIGTERM');
  await worker.exited;
  assertSameAsLocal(out);
});

test('a job that fails every attempt goes to the failed set, is listed at the end (exit 1), and is retried by a re-run', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const out = join(work, 'failing');
  mkdirSync(join(out, 'ward-a', 'note01.jsonl'), { recursive: true }); // a folder where an output file should go
  const worker = start(workerArgs());
  const run = start(tagArgs(out));
  assert.equal(await run.exited, 1, run.stderr());
  const summary = doneSummary(run.stderr());
  assert.equal(summary.failed.length, 1);
  assert.ok(summary.failed[0].files.includes('ward-a/note01.txt'));
  assert.match(summary.failed[0].reason, /EISDIR|directory/i);
  assert.match(summary.failed[0].reason, /after 3 attempts/);
  // The progress counts the failed job's documents as failed, and every document as either done or failed.
  const progress = run.stderr().split('\n').filter((l) => l.startsWith('{"event":"progress"')).map((l) => JSON.parse(l)).at(-1);
  assert.ok(progress.failed > 0 && progress.failed < DOCUMENTS, JSON.stringify(progress));
  assert.equal(progress.done + progress.failed, DOCUMENTS);
  const status = runCli(['queue', 'status', '--queue', redis.url]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /1 failed/);
  assert.match(status.stdout, /failed job j\w+ \(.*ward-a\/note01\.txt.*\)/);

  rmSync(join(out, 'ward-a', 'note01.jsonl'), { recursive: true });
  const again = start(tagArgs(out));
  assert.equal(await again.exited, 0, again.stderr());
  worker.child.kill('SIGTERM');
  await worker.exited;
  assertSameAsLocal(out);

  const clean = runCli(['queue', 'clean', '--queue', redis.url]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(runCli(['queue', 'status', '--queue', redis.url]).stdout, /no run/);
});

test('a JSONL file with a bad line past its first shards: checked before any shard is queued, skipped with its file:line', { timeout: 60_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const dir = join(work, 'bad-jsonl');
  mkdirSync(dir, { recursive: true });
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i, text: sentence(i, 5) }));
  lines[249] = '{"id": 249, "text": ';
  writeFileSync(join(dir, 'abstracts.jsonl'), `${lines.join('\n')}\n`);
  const out = join(work, 'bad-jsonl-out');
  const run = runCli(['tag', dir, '--out', out, '--queue', redis.url, '--model', lexiconModel, '--queue-batch', '10', '--progress-json']);
  assert.equal(run.code, 2, run.stderr);
  const summary = doneSummary(run.stderr) as ReturnType<typeof doneSummary> & { skipped: { file: string; reason: string }[] };
  assert.deepEqual(summary.skipped.map((s) => s.file), ['abstracts.jsonl']);
  assert.match(summary.skipped[0].reason, /abstracts\.jsonl:250: not valid JSON/);
  assert.equal(await jobCounts(), 0, 'no job was queued');
  assert.deepEqual(existsSync(out) ? listFiles(out) : [], [], 'no output, no shard');
});

test('bad addresses and options are clear errors', { timeout: 60_000 }, () => {
  const bad = runCli(['tag', corpus, '--out', join(work, 'x'), '--queue', 'http://127.0.0.1:1', '--model', lexiconModel]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^bioner: --queue "http:\/\/127\.0\.0\.1:1": expected redis:\/\/host:port\[\/db\]/);
  // The model folder is read by model/folder.ts, with its message, before anything is queued.
  const noModel = runCli(['tag', corpus, '--out', join(work, 'x'), '--queue', redis.url, '--model', corpus]);
  assert.equal(noModel.code, 1);
  assert.match(noModel.stderr, /^bioner: \S+\/config\.json: no model here \(config\.json is missing\)/);
  const notJson = mkdtempSync(join(tmpdir(), 'bioner-queue-model-'));
  writeFileSync(join(notJson, 'config.json'), '{"kind": "lexicon",');
  const badModel = runCli(['tag', corpus, '--out', join(work, 'x'), '--queue', redis.url, '--model', notJson]);
  assert.equal(badModel.code, 1);
  assert.match(badModel.stderr, /^bioner: \S+\/config\.json: not valid JSON/);
  rmSync(notJson, { recursive: true, force: true });
  const noOut = runCli(['tag', corpus, '--queue', redis.url, '--model', lexiconModel]);
  assert.equal(noOut.code, 1);
  assert.match(noOut.stderr, /--queue needs --out DIR/);
  const unreachable = runCli(['queue', 'status', '--queue', 'redis://127.0.0.1:1/0']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^bioner: redis:\/\/127\.0\.0\.1:1\/0: cannot reach Redis \(ECONNREFUSED\)/);
});

/** `docs` JSONL documents made from sentence(i, n), the file a --queue run shards by 10. */
function jsonlOf(docs: number, n: number): string {
  return Array.from({ length: docs }, (_, i) => `${JSON.stringify({ id: `d${i}`, text: `${sentence(i, n)} ${sentence(i + 1, n)}` })}\n`).join('');
}

/**
 * `bioner tag big.jsonl --queue` stopped (killed) with shards of big.jsonl written, one job in the hands of a frozen
 * worker (its lock long enough that no stalled-job check takes it back) and the rest still queued (300 jobs: on an
 * idle machine the worker went through 30 before the test could stop it in one); then big.jsonl
 * gets `docs` other documents and the same command is run again, the frozen worker let go while that run is under way
 * (or once it ended, when it does not wait). Returns the second run's stderr.
 */
async function changedBetweenRuns(name: string, docs: number): Promise<string> {
  await withQueue((q) => q.obliterate({ force: true }));
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const big = join(dir, 'big.jsonl');
  writeFileSync(big, jsonlOf(3000, 6));
  const out = join(work, `${name}-out`);
  const args = ['tag', big, '--out', out, '--queue', redis.url, '--model', lexiconModel, '--queue-batch', '10', '--progress-json'];
  const slow = start([...workerArgs(), '--lock-ms', '60000']);
  const first = start(args);
  await until(() => [...slow.stderr().matchAll(/job j\w+ done/g)].length >= 3);
  await freezeMidJob(slow, startedJobs(slow.stderr()).length);
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(existsSync(join(out, '.bioner-shards')), 'the first run wrote shards');

  writeFileSync(big, jsonlOf(docs, 7));
  const expected = join(work, `${name}-local`);
  const local = runCli(['tag', big, '--out', expected, '--model', lexiconModel, '--workers', '1']);
  assert.equal(local.code, 0, local.stderr);

  const worker = start(workerArgs());
  const second = start(args);
  await Promise.race([second.exited, second.waitFor(/waiting for 1 job of an earlier run/).then(() => new Promise((r) => setTimeout(r, 2000)), () => undefined)]);
  slow.child.kill('SIGCONT');
  assert.equal(await second.exited, 0, second.stderr());
  for (const w of [slow, worker]) w.child.kill('SIGTERM');
  await Promise.all([slow.exited, worker.exited]);

  assert.deepEqual(listFiles(out), ['big.jsonl.jsonl']);
  assert.ok(!existsSync(join(out, '.bioner-shards')), 'no folder of shards is left');
  assert.equal(readFileSync(join(out, 'big.jsonl.jsonl'), 'utf8'), readFileSync(join(expected, 'big.jsonl.jsonl'), 'utf8'));
  assert.equal(await jobCounts(), 0, 'no job of either run is left in Redis');
  assert.match(second.stderr(), /big\.jsonl changed since an earlier run left shards of it in \.bioner-shards\/big\.jsonl\.jsonl: they are removed/);
  const again = runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(doneSummary(again.stderr).upToDate, 1);
  return second.stderr();
}

test('big.jsonl changed before the same command is run again: its new shards alone make the output, no old shard or job is left', { timeout: 120_000 }, async () => {
  await changedBetweenRuns('changed-sharded', 120);
});

test('big.jsonl changed to fewer documents than a shard: the old job in hand cannot overwrite the new output, old shards removed', { timeout: 120_000 }, async () => {
  const stderr = await changedBetweenRuns('changed-small', 5);
  assert.match(stderr, /dropped the \d+ jobs an earlier run left queued/);
});

test('bioner queue clean removes the shards a stopped run left in its output folder', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const dir = join(work, 'cleaned');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'big.jsonl'), jsonlOf(200, 8));
  const out = join(work, 'cleaned-out');
  const worker = start(workerArgs());
  const run = start(['tag', join(dir, 'big.jsonl'), '--out', out, '--queue', redis.url, '--model', lexiconModel, '--queue-batch', '10']);
  await until(() => [...worker.stderr().matchAll(/job j\w+ done/g)].length >= 2);
  run.child.kill('SIGKILL');
  await run.exited;
  worker.child.kill('SIGTERM');
  await worker.exited;
  assert.ok(existsSync(join(out, '.bioner-shards')));
  const clean = runCli(['queue', 'clean', '--queue', redis.url]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /removed the run and its \d+ jobs, and the shards in \S+\.bioner-shards/);
  assert.ok(!existsSync(join(out, '.bioner-shards')), 'the shards are gone');
});

test('a worker sent SIGTERM in the middle of a job finishes that job, acknowledges it, then exits 0', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const out = join(work, 'sigterm');
  const producer = start(tagArgs(out));
  const stopping = start(workerArgs());
  // Before its outputs: a worker stopped once its job was done (logged) but not yet acknowledged says "done" first.
  const job = await freezeMidJob(stopping, 0, true);
  stopping.child.kill('SIGTERM'); // pending while it is stopped: handled the moment it runs again, mid-job
  stopping.child.kill('SIGCONT');
  assert.equal(await stopping.exited, 0, stopping.stderr());
  assert.match(stopping.stderr(), new RegExp(`stopping: finishing the jobs in hand[\\s\\S]*job ${job} done[\\s\\S]*stopped`));
  const rest = start(workerArgs());
  assert.equal(await producer.exited, 0, producer.stderr());
  rest.child.kill('SIGTERM');
  await rest.exited;
  assert.doesNotMatch(rest.stderr(), new RegExp(`job ${job} started`), 'the job was not tagged again');
  assertSameAsLocal(out);
});

test('jobs finished while no `bioner tag` was running are collected by the re-run, not tagged again (jobs are named by what they make)', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const out = join(work, 'collected');
  const first = start(tagArgs(out));
  await until(() => withQueue(async (q) => (await q.getJobCounts('waiting')).waiting >= 20));
  first.child.kill('SIGKILL'); // before any worker: nothing is written or recorded yet
  await first.exited;
  const queued = await jobCounts();
  const worker = start(workerArgs());
  await until(() => withQueue(async (q) => (await q.getJobCounts('completed')).completed === queued), 60_000);
  worker.child.kill('SIGTERM');
  await worker.exited;
  assert.ok(startedJobs(worker.stderr()).length >= 20);
  // The re-run queues its jobs again under the same ids: those finished are collected, and a worker tags only the
  // ones the killed run never queued.
  const late = start(workerArgs());
  const again = start(tagArgs(out));
  assert.equal(await again.exited, 0, again.stderr());
  late.child.kill('SIGTERM');
  await late.exited;
  // Every document tagged once in all: the late worker tagged only what the first one had not.
  const documentsDone = (stderr: string): number => [...stderr.matchAll(/job j\w+ done \((\d+) documents tagged/g)].reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(documentsDone(worker.stderr()) + documentsDone(late.stderr()), DOCUMENTS, 'no finished job was tagged again');
  assert.equal(doneSummary(again.stderr()).documents, DOCUMENTS);
  assertSameAsLocal(out);
});

test('a JSONL file of more shards than may be queued at once: at most 512 jobs wait in Redis, and the output comes out whole, in input order', { timeout: 180_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const dir = join(work, 'bounded');
  mkdirSync(dir, { recursive: true });
  const big = join(dir, 'big.jsonl');
  writeFileSync(big, jsonlOf(600, 9));
  const expected = join(work, 'bounded-local');
  assert.equal(runCli(['tag', big, '--out', expected, '--model', lexiconModel, '--workers', '1']).code, 0);
  const out = join(work, 'bounded-out');
  const run = start(['tag', big, '--out', out, '--queue', redis.url, '--model', lexiconModel, '--queue-batch', '1', '--progress-json']);
  // No worker yet: the run queues shards until 512 wait, then waits for them to settle before reading on.
  await until(() => withQueue(async (q) => (await q.getJobCounts('waiting')).waiting >= 512), 60_000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await jobCounts(), 512);
  const worker = start([...workerArgs(), '--concurrency', '2']);
  assert.equal(await run.exited, 0, run.stderr());
  worker.child.kill('SIGTERM');
  await worker.exited;
  assert.deepEqual(listFiles(out), ['big.jsonl.jsonl']);
  assert.equal(readFileSync(join(out, 'big.jsonl.jsonl'), 'utf8'), readFileSync(join(expected, 'big.jsonl.jsonl'), 'utf8'));
});

test('a worker stopped past its lock, whose job another worker finished, writes nothing of it when it runs again', { timeout: 120_000 }, async () => {
  await withQueue((q) => q.obliterate({ force: true }));
  const out = join(work, 'lost-lock');
  const producer = start(tagArgs(out));
  const frozen = start(workerArgs());
  const job = await freezeMidJob(frozen, 0, true);
  const other = start(workerArgs()); // its stalled-job check gives it the frozen worker's job after a lock period
  assert.equal(await producer.exited, 0, producer.stderr());
  assert.match(other.stderr(), new RegExp(`job ${job} started`));
  const inodes = () => listFiles(out).map((f) => `${f} ${statSync(join(out, f)).ino}`);
  const before = inodes();
  frozen.child.kill('SIGCONT');
  await frozen.waitFor(new RegExp(`job ${job} not written: this worker lost it`));
  for (const w of [frozen, other]) w.child.kill('SIGTERM');
  await Promise.all([frozen.exited, other.exited]);
  assert.deepEqual(inodes(), before, 'no output was replaced');
  assertSameAsLocal(out);
});
