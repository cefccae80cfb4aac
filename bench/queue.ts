// The Redis queue (bioner tag --queue, bioner worker) against the local pool on this machine's cores, run by
// bench/run.mjs (or alone: npx tsx bench/queue.ts [modelDir]). Prints JSON figure lines:
//   - tokens/s of a local `bioner tag --workers <cores>`, of 1 worker process with <cores> tagger threads, and of
//     <cores> worker processes with 1 thread each, on the same PubMed abstracts and the given model (start-up
//     included); the latter at several documents per job (BATCHES);
//   - the queue's own cost per document at each of BATCHES documents per job: one JSONL of many one-sentence
//     documents tagged by the lexicon test model (microseconds per document), through the queue (1 worker process,
//     <cores> threads) minus the same file tagged locally, per document. What is left is the queue's work: enqueuing,
//     the jobs' Redis round trips, writing and recording each job's shard, joining the shards;
//   - the batch size these figures choose (chooseBatch), and the README's paper estimate for 20 M abstracts on 50
//     workers (paperEstimate).
// Needs Debian's redis-server (scripts/setup-redis.sh); started here on a free loopback port and stopped at the end.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_BATCH_DOCUMENTS } from '../server/src/bulk/queue/jobs';
import { redisServerPath, startRedis } from '../test/queue/redisServer';

const repo = resolve(__dirname, '..');
const cli = join(repo, 'dist', 'cli.js');
const model = resolve(process.argv[2] ?? join(repo, 'models', 'default'));
const lexicon = join(repo, 'test', 'fixtures', 'models', 'lexicon');
const dataDir = resolve(repo, process.env.BIONER_DATA ?? join('..', 'shared', 'data'));
const abstractsWanted = Number(process.env.BIONER_BENCH_QUEUE_ABSTRACTS ?? 300);
const tinyDocuments = Number(process.env.BIONER_BENCH_QUEUE_TINY ?? 10_000);
const cores = availableParallelism();
/** Documents per job compared (the default among them). */
const BATCHES = [...new Set([16, 64, 256, DEFAULT_BATCH_DOCUMENTS])].sort((a, b) => a - b);
/** chooseBatch: the queue may cost at most this share of a document's tagging time... */
const OVERHEAD_SHARE = 0.01;
/** ...and a batch size must reach this share of the best size's throughput. */
const THROUGHPUT_SHARE = 0.95;
/** The README's paper estimate: this many abstracts on this many workers of this machine's size. */
const PAPER = { abstracts: 20e6, workers: 50 };

interface Run {
  code: number | null;
  seconds: number;
  stderr: string;
}

function run(args: string[], timeoutSeconds = 900): Promise<Run> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, seconds: (performance.now() - t0) / 1000, stderr });
    });
  });
}

/** A queue run with `processes` workers of `threads` threads each; the workers start with the run (start-up included). */
async function queueRun(url: string, input: string, out: string, modelDir: string, processes: number, threads: number, batch: number): Promise<Run> {
  const workers = Array.from({ length: processes }, () =>
    spawn(process.execPath, [cli, 'worker', '--queue', url, '--model', modelDir, '--concurrency', String(threads)], { stdio: 'ignore' }),
  );
  const result = await run(['tag', input, '--out', out, '--queue', url, '--model', modelDir, '--progress-json', '--queue-batch', String(batch)]);
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((r) => {
          w.once('exit', () => r());
          w.kill('SIGTERM');
        }),
    ),
  );
  return result;
}

function summaryOf(r: Run): { tokens: number; documents: number } | undefined {
  const line = r.stderr.split('\n').find((l) => l.startsWith('{"event":"done"'));
  return line ? JSON.parse(line).summary : undefined;
}

function emit(metric: string, value: number | null, unit: string, note: string): void {
  console.log(JSON.stringify({ metric, value, unit, note }));
}

/**
 * The documents per job to use: the smallest measured size that loses nothing measurable, that is whose throughput
 * with the real model is within THROUGHPUT_SHARE of the best size's and whose queue cost per document (ms) is at most
 * OVERHEAD_SHARE of a document's tagging time (ms). Smaller jobs are better otherwise: a killed worker's job is tagged
 * again, and the last jobs of a run leave workers idle for about one job's time.
 */
function chooseBatch(tokensPerSecond: Map<number, number>, overheadMs: Map<number, number>, documentMs: number): number | undefined {
  const best = Math.max(...tokensPerSecond.values());
  return BATCHES.find((b) => (tokensPerSecond.get(b) ?? 0) >= THROUGHPUT_SHARE * best && (overheadMs.get(b) ?? Infinity) <= OVERHEAD_SHARE * documentMs);
}

/**
 * Hours for `abstracts` abstracts on `workers` workers, each tagging as fast as this machine's local pool:
 *   hours = abstracts x (tokensPerAbstract / localTokensPerSecond + max(0, queueMsPerDocument) / 1000) / workers / 3600
 */
function paperEstimate(abstracts: number, workers: number, tokensPerAbstract: number, localTokensPerSecond: number, queueMsPerDocument: number): number {
  return (abstracts * (tokensPerAbstract / localTokensPerSecond + Math.max(0, queueMsPerDocument) / 1000)) / workers / 3600;
}

async function main(): Promise<void> {
  if (!redisServerPath()) {
    emit('queue bench', null, '', 'skipped: redis-server is not installed (bash scripts/setup-redis.sh)');
    return;
  }
  const source = join(dataDir, 'pubmed-text', 'pubmedqa.txt');
  if (!existsSync(source)) {
    emit('queue bench', null, '', `skipped: ${source} not found`);
    return;
  }
  const load = () => loadavg()[0].toFixed(1);
  console.error(`queue bench: started, load average ${load()}`);
  const work = mkdtempSync(join(tmpdir(), 'bioner-bench-queue-'));
  const redis = await startRedis();
  try {
    // The same kind of corpus as the local bulk bench: whole PubMed abstracts, one .txt each.
    const corpus = join(work, 'abstracts');
    mkdirSync(corpus);
    let n = 0;
    for (const abstract of readFileSync(source, 'utf8').split(/\n\s*\n/)) {
      if (n >= abstractsWanted) break;
      const lines = abstract.split('\n').filter((l) => l.trim());
      if (lines.length) writeFileSync(join(corpus, `a${String(n++).padStart(5, '0')}.txt`), `${lines.join('\n')}\n`);
    }
    const local = await run(['tag', corpus, '--out', join(work, 'local'), '--model', model, '--workers', String(cores), '--progress-json']);
    const tokens = summaryOf(local)?.tokens ?? null;
    const localRate = tokens && local.code === 0 ? tokens / local.seconds : null;
    const note = `${n} PubMed abstracts, ${tokens} tokens, ${model.endsWith(join('models', 'default')) ? 'shipped model' : model}, start-up included`;
    emit(`queue bench: local pool, ${cores} threads`, localRate, 'tokens/s', note);
    const shapes: [number, number, number][] = [[1, cores, DEFAULT_BATCH_DOCUMENTS], ...BATCHES.map((b): [number, number, number] => [cores, 1, b])];
    /** Tokens/s of <cores> worker processes by documents per job. */
    const byBatch = new Map<number, number>();
    for (const [processes, threads, batch] of shapes) {
      const r = await queueRun(redis.url, corpus, join(work, `q${processes}x${threads}-${batch}`), model, processes, threads, batch);
      const ok = r.code === 0 && summaryOf(r)?.tokens === tokens;
      if (ok && tokens && processes === cores) byBatch.set(batch, tokens / r.seconds);
      emit(
        `queue bench: ${processes} worker process${processes > 1 ? 'es' : ''} x ${threads} thread${threads > 1 ? 's' : ''}, ${batch} documents per job`,
        ok && tokens ? tokens / r.seconds : null,
        'tokens/s',
        ok ? note : `failed (exit ${r.code}): ${r.stderr.trim().split('\n').at(-1)}`,
      );
    }

    // The queue's own cost: many one-sentence documents in one JSONL file, a model that costs nothing.
    const tiny = join(work, 'tiny.jsonl');
    writeFileSync(tiny, Array.from({ length: tinyDocuments }, (_, i) => `${JSON.stringify({ id: i, text: `Patient ${i} was given aspirin for fever.` })}\n`).join(''));
    const tinyLocal = await run(['tag', tiny, '--out', join(work, 'tiny-local'), '--model', lexicon, '--workers', String(cores), '--progress-json']);
    const tinyNote = `${tinyDocuments} one-sentence documents in one JSONL, lexicon model, 1 worker process x ${cores} threads`;
    emit('queue bench: tiny documents, local run', tinyLocal.code === 0 ? (1000 * tinyLocal.seconds) / tinyDocuments : null, 'ms/document', tinyNote);
    const overheadMs = new Map<number, number>();
    for (const batch of BATCHES) {
      const r = await queueRun(redis.url, tiny, join(work, `tiny-q${batch}`), lexicon, 1, cores, batch);
      const overhead = r.code === 0 && tinyLocal.code === 0 ? (1000 * (r.seconds - tinyLocal.seconds)) / tinyDocuments : null;
      if (overhead !== null) overheadMs.set(batch, overhead);
      emit(`queue bench: queue cost per document, ${batch} documents per job`, overhead, 'ms/document', `queue run minus local run; ${tinyNote}`);
    }

    // What the figures give: the batch size to use, and the paper estimate at the default.
    const documentMs = localRate && tokens ? (1000 * (tokens / n)) / localRate : null; // on one worker of <cores> threads
    const chosen = documentMs ? chooseBatch(byBatch, overheadMs, documentMs) : undefined;
    emit(
      'queue bench: documents per job the figures choose',
      chosen ?? null,
      'documents',
      documentMs
        ? `smallest of ${BATCHES.join(' / ')} within ${Math.round(100 * (1 - THROUGHPUT_SHARE))}% of the best throughput and whose queue cost is <= ` +
            `${100 * OVERHEAD_SHARE}% of a document's tagging (${documentMs.toFixed(1)} ms per abstract on ${cores} threads); the default is ${DEFAULT_BATCH_DOCUMENTS}`
        : 'n/a: the local run failed',
    );
    const overhead = overheadMs.get(DEFAULT_BATCH_DOCUMENTS);
    emit(
      `queue bench: paper estimate, ${PAPER.abstracts / 1e6} M abstracts on ${PAPER.workers} workers of ${cores} cores`,
      localRate && tokens && overhead !== undefined ? paperEstimate(PAPER.abstracts, PAPER.workers, tokens / n, localRate, overhead) : null,
      'hours',
      `${Math.round((tokens ?? 0) / n)} tokens per abstract at the local pool's tokens/s plus the queue cost at ${DEFAULT_BATCH_DOCUMENTS} documents per job (README: the formula)`,
    );
  } finally {
    await redis.dispose();
    rmSync(work, { recursive: true, force: true });
    console.error(`queue bench: finished, load average ${load()}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
