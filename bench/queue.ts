// The Redis queue (bioner tag --queue, bioner worker) against the local pool on this machine's cores, run by
// bench/run.mjs (or alone: npx tsx bench/queue.ts [modelDir]). Prints JSON figure lines:
//   - tokens/s of a local `bioner tag --workers <cores>`, of 1 worker process with <cores> tagger threads, and of
//     <cores> worker processes with 1 thread each, on the same PubMed abstracts and the given model (start-up included);
//   - the queue's own cost per document: the lexicon test model tags in microseconds, so a queue run's wall time
//     minus a local run's over many tiny documents is what enqueuing, job round trips, writing and stamping cost, at
//     several documents per job.
// Needs Debian's redis-server (scripts/setup-redis.sh); started here on a free loopback port and stopped at the end.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { redisServerPath, startRedis } from '../test/queue/redisServer';

const repo = resolve(__dirname, '..');
const cli = join(repo, 'dist', 'cli.js');
const model = resolve(process.argv[2] ?? join(repo, 'models', 'default'));
const lexicon = join(repo, 'test', 'fixtures', 'models', 'lexicon');
const dataDir = resolve(repo, process.env.BIONER_DATA ?? join('..', 'shared', 'data'));
const abstractsWanted = Number(process.env.BIONER_BENCH_QUEUE_ABSTRACTS ?? 300);
const tinyDocuments = Number(process.env.BIONER_BENCH_QUEUE_TINY ?? 3000);
const cores = availableParallelism();

interface Run {
  code: number | null;
  seconds: number;
  stderr: string;
}

function run(args: string[], timeoutSeconds = 600): Promise<Run> {
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
async function queueRun(url: string, input: string, out: string, modelDir: string, processes: number, threads: number, extra: string[] = []): Promise<Run> {
  const workers = Array.from({ length: processes }, () =>
    spawn(process.execPath, [cli, 'worker', '--queue', url, '--model', modelDir, '--concurrency', String(threads)], { stdio: 'ignore' }),
  );
  const result = await run(['tag', input, '--out', out, '--queue', url, '--model', modelDir, '--progress-json', ...extra]);
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
    const note = `${n} PubMed abstracts, ${tokens} tokens, ${model.endsWith(join('models', 'default')) ? 'shipped model' : model}, start-up included`;
    emit(`queue bench: local pool, ${cores} threads`, tokens && local.code === 0 ? tokens / local.seconds : null, 'tokens/s', note);
    const shapes: [number, number][] = [[1, cores], [cores, 1]];
    for (const [processes, threads] of shapes) {
      const r = await queueRun(redis.url, corpus, join(work, `q${processes}x${threads}`), model, processes, threads);
      const ok = r.code === 0 && summaryOf(r)?.tokens === tokens;
      emit(
        `queue bench: ${processes} worker process${processes > 1 ? 'es' : ''} x ${threads} thread${threads > 1 ? 's' : ''}`,
        ok && tokens ? tokens / r.seconds : null,
        'tokens/s',
        ok ? note : `failed (exit ${r.code}): ${r.stderr.trim().split('\n').at(-1)}`,
      );
    }

    // The queue's own cost: many tiny documents, a model that costs nothing.
    const tiny = join(work, 'tiny');
    for (let i = 0; i < tinyDocuments; i++) {
      const dir = join(tiny, `d${Math.floor(i / 1000)}`);
      if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `n${i}.txt`), `Patient ${i} was given aspirin for fever.\n`);
    }
    const tinyLocal = await run(['tag', tiny, '--out', join(work, 'tiny-local'), '--model', lexicon, '--workers', '1', '--progress-json']);
    emit('queue bench: tiny documents, local run', tinyLocal.code === 0 ? (1000 * tinyLocal.seconds) / tinyDocuments : null, 'ms/document', `${tinyDocuments} one-sentence files, lexicon model, 1 thread`);
    for (const perJob of [16, 64, 256]) {
      const r = await queueRun(redis.url, tiny, join(work, `tiny-q${perJob}`), lexicon, 1, 1, ['--queue-batch', String(perJob)]);
      const overhead = r.code === 0 && tinyLocal.code === 0 ? (1000 * (r.seconds - tinyLocal.seconds)) / tinyDocuments : null;
      emit(`queue bench: queue overhead, ${perJob} documents per job`, overhead, 'ms/document', `queue run minus local run over ${tinyDocuments} tiny documents, 1 worker`);
    }
  } finally {
    await redis.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
