// `npm run bench` (after `node esbuild.mjs`): every speed figure we claim, measured on this machine, printed as a
// table (with the target beside each figure) and saved to bench/results.json.
//
//   tagging throughput   `bioner tag` on a generated PubMed-like corpus, 1 worker and one per core; whitespace
//                        tokens/s with start-up included (the wall time of the whole command)
//   model load, RSS      dist/bench-probe.js (bench/probe.ts): loadTagger time, first tag, peak RSS with the model;
//                        bench/serverRss.ts: peak RSS of dist/server.js with the model, after tagging a document
//   FLOPs per token      from the model's config (bench/probe.ts), and the measured matMul peak (bench/matmulPeak.ts),
//                        so each throughput also shows as a fraction of what the machine can do
//   LSP latency          bench/lsp*.ts (the language-server bench), when present; bench/lsp-editor-startup.ts times
//                        first colours in code-server + Chromium (needs scripts/setup-e2e.sh)
//   training             `bioner pretrain` and `bioner train`, time-boxed (--max-minutes), tokens/s from their JSON
//   model benches        bench/model-*.ts, when present
//   queue                bench/queue.ts: the Redis queue's workers against the local pool, its cost per document at
//                        several documents per job, the batch size that gives, and the README's paper estimate
//
// Scripts under bench/ (lsp*.ts, model-*.ts, queue.ts) report figures by printing JSON lines on stdout, each either
//   {"metric": "...", "value": 12.3, "unit": "ms", "target": "<= 50"}   or   {"metrics": [ ...such objects ]}
// Everything else they print is kept in the log. Environment: BIONER_DATA (default ../shared/data),
// BIONER_BENCH_SENTENCES (corpus size, default 3000), BIONER_BENCH_SECONDS (time box per tagging run, default 35),
// BIONER_BENCH_TRAIN_MINUTES (time box of pretrain and train, default 0.4; 0 skips them), BIONER_BENCH_MODEL (a
// model folder instead of models/default).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(repo, 'dist');
const cli = join(dist, 'cli.js');
const dataDir = resolve(repo, process.env.BIONER_DATA ?? join('..', 'shared', 'data'));
const sentencesWanted = Number(process.env.BIONER_BENCH_SENTENCES ?? 3000);
const timeBoxSeconds = Number(process.env.BIONER_BENCH_SECONDS ?? 35);
const cores = availableParallelism();
const startedAt = Date.now();

const shippedModel = join(repo, 'models', 'default');
const lexiconModel = join(repo, 'test', 'fixtures', 'models', 'lexicon');
const modelDir = process.env.BIONER_BENCH_MODEL
  ? resolve(process.env.BIONER_BENCH_MODEL)
  : existsSync(join(shippedModel, 'config.json'))
    ? shippedModel
    : lexiconModel;
const modelNote =
  modelDir === shippedModel
    ? 'models/default (shipped)'
    : modelDir === lexiconModel
      ? 'lexicon test fixture (no models/default yet)'
      : `${modelDir} (BIONER_BENCH_MODEL)`;

/** Rows of the table: a figure, its unit, its target (text), whether it meets it, a note. */
const rows = [];
const raw = {};
const log = (line) => process.stderr.write(`bench: ${line}\n`);

function row(metric, value, unit, { target, ok, note } = {}) {
  rows.push({ metric, value: value ?? null, unit, target: target ?? '', ok: value == null ? null : (ok ?? null), note: note ?? '' });
}

// --- build the probes ------------------------------------------------------------------------------------------
if (!existsSync(cli)) {
  console.error('bench: dist/cli.js is missing: run `node esbuild.mjs` first (npm run bench does)');
  process.exit(1);
}
await esbuild.build({
  entryPoints: { 'bench-probe': join(repo, 'bench', 'probe.ts'), 'bench-matmul': join(repo, 'bench', 'matmulPeak.ts') },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir: dist,
  logLevel: 'error',
  external: ['vscode', '@tensorflow/tfjs-node'],
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
});

// --- the corpus: whole PubMed abstracts until `sentencesWanted` sentences, one .txt per abstract (in a temp dir) --
const work = mkdtempSync(join(tmpdir(), 'bioner-bench-'));
const corpusDir = join(work, 'corpus');
mkdirSync(corpusDir);
const source = join(dataDir, 'pubmed-text', 'pubmedqa.txt');
if (!existsSync(source)) {
  console.error(`bench: ${source}: not found (set BIONER_DATA to the shared data folder)`);
  process.exit(1);
}
let sentences = 0;
let wsTokens = 0;
let documents = 0;
for (const abstract of readFileSync(source, 'utf8').split(/\n\s*\n/)) {
  if (sentences >= sentencesWanted) break;
  const lines = abstract.split('\n').filter((l) => l.trim());
  if (!lines.length) continue;
  sentences += lines.length;
  wsTokens += lines.join(' ').split(/\s+/).filter(Boolean).length;
  writeFileSync(join(corpusDir, `abstract-${String(documents++).padStart(5, '0')}.txt`), `${lines.join('\n')}\n`);
}
const sample = join(work, 'sample.txt');
writeFileSync(sample, readFileSync(join(corpusDir, readdirSync(corpusDir).sort()[0]), 'utf8'));
log(`corpus: ${documents} abstracts, ${sentences} sentences, ${wsTokens} whitespace tokens from ${source}`);
log(`model: ${modelNote}`);

/** Runs a command to completion or until `seconds` pass (then SIGINT, then SIGKILL); collects its output. */
function run(command, args, { seconds = timeBoxSeconds, env } = {}) {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const interrupt = setTimeout(() => {
      timedOut = true;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, seconds * 1000);
    child.on('close', (code) => {
      clearTimeout(interrupt);
      resolvePromise({ code, stdout, stderr, timedOut, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

function jsonLines(text) {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

// --- machine limit and model cost ------------------------------------------------------------------------------
// One thread of what the tagger's matMuls run on (the BLAS addon when built), and, for comparison, the wasm backend's
// own matMul (BIONER_BLAS=0).
const matmul = await run(process.execPath, [join(dist, 'bench-matmul.js')], { seconds: 60 });
const peak = jsonLines(matmul.stdout)[0];
raw.matmul = peak ?? matmul.stderr.slice(-2000);
const matmulOf = (p) => (p.blas ? `BLAS addon (${p.blas.split(' ').slice(0, 2).join(' ')})` : `tfjs ${p.backend}`);
row('matMul peak, 1 thread', peak?.gflops, 'GFLOP/s', { note: peak ? `${matmulOf(peak)}; sizes 256/512/1024: ${peak.bySize.join(', ')}` : 'failed' });
if (peak?.blas) {
  const wasmRun = await run(process.execPath, [join(dist, 'bench-matmul.js')], { seconds: 60, env: { BIONER_BLAS: '0' } });
  const wasmPeak = jsonLines(wasmRun.stdout)[0];
  raw.matmulWithoutBlas = wasmPeak ?? wasmRun.stderr.slice(-2000);
  row("matMul peak, 1 thread, wasm's own (BIONER_BLAS=0)", wasmPeak?.gflops, 'GFLOP/s', { note: wasmPeak ? `for comparison; sizes 256/512/1024: ${wasmPeak.bySize.join(', ')}` : 'failed' });
}

const probeRun = await run(process.execPath, [join(dist, 'bench-probe.js'), modelDir, sample], { seconds: 120 });
const probe = jsonLines(probeRun.stdout)[0];
raw.probe = probe ?? probeRun.stderr.slice(-2000);
const flopsPerToken = probe?.flopsPerToken ?? null;
row('model load (loadTagger)', probe?.loadMs, 'ms', { target: '<= 2000', ok: probe && probe.loadMs <= 2000, note: modelNote });
row('first tag of one abstract after load', probe?.firstTagMs, 'ms', { note: `${probe?.sampleWhitespaceTokens ?? '?'} whitespace tokens` });
row('peak RSS, tagger process with the model loaded', probe ? probe.peakRssBytes / 2 ** 20 : null, 'MB', {
  note: 'dist/bench-probe.js: loadTagger + tagging, no server',
});
const serverRss = await run(process.execPath, ['--import', 'tsx', join(repo, 'bench', 'serverRss.ts'), modelDir, sample], { seconds: 120 });
const serverPeak = jsonLines(serverRss.stdout).flatMap((o) => o.metrics ?? [])[0];
raw.serverRss = serverPeak ?? serverRss.stderr.slice(-2000);
row('peak RSS, language server with the model loaded', serverPeak?.value, 'MB', {
  target: '<= 300',
  ok: serverPeak ? serverPeak.value <= 300 : null,
  note: serverPeak ? 'dist/server.js --stdio, one abstract tagged (VmHWM)' : `failed (exit ${serverRss.code})`,
});
row('model forward FLOPs per token', flopsPerToken == null ? null : flopsPerToken / 1e6, 'MFLOP', {
  note: flopsPerToken == null ? 'n/a: the model is not neural (no sizes in its config)' : 'BiLM (model code count) + task BiLSTM + output',
});

// --- tagging throughput ------------------------------------------------------------------------------------------
// Tokenizer tokens of the corpus (for the FLOP/s figure and to scale a time-boxed run): a quick lexicon run.
const countRun = await run(process.execPath, [cli, 'tag', corpusDir, '--model', lexiconModel, '--workers', '0', '--progress-json'], { seconds: 120 });
const corpusTokens = jsonLines(countRun.stderr).find((e) => e.event === 'done')?.summary.tokens ?? null;
/** Bulk tagging with 1 worker, whitespace tokens/s: model benches set the cost of a pass against it. */
let bulkOneWorker = null;

for (const workers of [...new Set([1, cores])]) {
  const out = join(work, `out-${workers}`);
  const args = [cli, 'tag', corpusDir, '--out', out, '--model', modelDir, '--workers', String(workers), '--progress-json', '--force'];
  const result = await run(process.execPath, args);
  const done = jsonLines(result.stderr).find((e) => e.event === 'done');
  raw[`tag-${workers}`] = done?.summary ?? result.stderr.slice(-2000);
  let tokensPerSecond = null;
  let note = `${workers} worker${workers > 1 ? 's' : ''}, start-up included`;
  if (done && result.code === 0 && !done.summary.interrupted) {
    tokensPerSecond = wsTokens / result.seconds;
  } else if (done && corpusTokens) {
    // Time-boxed: the share of the corpus tagged before Ctrl-C, in whitespace tokens.
    tokensPerSecond = (done.summary.tokens * (wsTokens / corpusTokens)) / result.seconds;
    note += `, stopped after ${timeBoxSeconds} s (${done.summary.documents}/${documents} documents)`;
  } else {
    note = `failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
  }
  if (tokensPerSecond && flopsPerToken && peak?.gflops && corpusTokens) {
    const flops = tokensPerSecond * (corpusTokens / wsTokens) * flopsPerToken;
    note += `; ${((100 * flops) / (peak.gflops * 1e9 * Math.min(workers, cores))).toFixed(1)}% of ${Math.min(workers, cores)} x matMul peak`;
  }
  if (done?.summary.peakRssMb) note += `; peak RSS ${Math.round(done.summary.peakRssMb)} MB`;
  if (workers === 1) bulkOneWorker = tokensPerSecond;
  const isTarget = workers === cores && modelDir === shippedModel;
  row(`bulk tagging, ${workers} worker${workers > 1 ? 's' : ''}`, tokensPerSecond, 'tokens/s', {
    target: workers === cores ? '>= 5000 (shipped model, all cores)' : '',
    ok: isTarget ? tokensPerSecond >= 5000 : null,
    note,
  });
}

// --- LSP latency and model benches, written by their owners ------------------------------------------------------
const benchDir = join(repo, 'bench');
const scripts = readdirSync(benchDir)
  .filter((f) => /^(lsp.*|model-.*|queue)\.ts$/.test(f))
  .sort();
for (const script of scripts) {
  // The LSP bench takes the model folder as its argument, so it measures the same model as the rest of the table.
  const args = ['--import', 'tsx', join(benchDir, script), ...(script.startsWith('lsp') || script === 'queue.ts' ? [modelDir] : [])];
  const env = bulkOneWorker ? { BIONER_BENCH_BULK_TOKENS_PER_S: String(bulkOneWorker) } : {};
  // The teach bench tags the BC5CDR test abstracts three times and fine-tunes twice.
  const seconds = { 'queue.ts': 1500, 'model-teach.ts': 900, 'lsp-editor-startup.ts': 300 }[script] ?? 120;
  const result = await run(process.execPath, args, { seconds, env });
  const reported = jsonLines(result.stdout).flatMap((o) => (Array.isArray(o.metrics) ? o.metrics : o.metric ? [o] : []));
  raw[script] = { exit: result.code, timedOut: result.timedOut, metrics: reported, stdoutTail: result.stdout.slice(-3000) };
  if (!reported.length) row(`${script}`, null, '', { note: `no figures reported (exit ${result.code}${result.timedOut ? ', timed out' : ''})` });
  for (const m of reported) {
    const ok = typeof m.ok === 'boolean' ? m.ok : targetMet(m.value, m.target);
    row(m.metric, typeof m.value === 'number' ? m.value : null, m.unit ?? '', { target: m.target ?? '', ok, note: m.note ?? script });
  }
}
if (!scripts.some((s) => s.startsWith('lsp'))) row('LSP edit latency p95', null, 'ms', { target: '<= 50', note: 'n/a: bench/lsp.ts not present yet' });

// --- training throughput: `bioner pretrain` / `bioner train`, time-boxed with their --max-minutes --------------
// Pre-training reads the bench corpus (PubMed text, never BC5CDR test); fine-tuning reads BC5CDR train/devel.
const trainingMinutes = Number(process.env.BIONER_BENCH_TRAIN_MINUTES ?? 0.4);
const trainText = join(work, 'pretrain-text.txt');
writeFileSync(trainText, readdirSync(corpusDir).sort().map((f) => readFileSync(join(corpusDir, f), 'utf8')).join('\n'));
function trainingRow(command, events, result, note, target = '', threads = 1) {
  const timed = events.filter((e) => typeof e.tokensPerSecond === 'number' && e.tokensPerSecond > 0);
  const last = timed.at(-1);
  const forward = events.find((e) => typeof e.flopsPerToken === 'number')?.flopsPerToken ?? flopsPerToken;
  let text = note;
  if (!last) {
    const why = result ? `exit ${result.code}${result.timedOut ? ', timed out' : ''}: ${result.stderr.trim().split('\n').slice(-1)[0] ?? ''}` : 'not run';
    text = `n/a (${why})`;
  } else if (forward && peak?.gflops) {
    // Training costs about 3x the forward pass (forward + two backward matMuls per forward one).
    // (A frozen BiLM runs forward only, once per sentence: fine-tuning spends less than 3x.)
    text += `; 3 x forward FLOPs at ~${((100 * last.tokensPerSecond * 3 * forward) / (threads * peak.gflops * 1e9)).toFixed(1)}% of ${threads} x matMul peak`;
  }
  row(`${command} throughput`, last?.tokensPerSecond ?? null, 'tokens/s', { note: text, target, ok: target ? targetMet(last?.tokensPerSecond, target) : undefined });
}
const helpOf = (command) => spawnSync(process.execPath, [cli, command, '--help'], { encoding: 'utf8' }).stdout ?? '';
if (trainingMinutes <= 0) {
  row('pretrain / train throughput', null, 'tokens/s', { note: 'skipped (BIONER_BENCH_TRAIN_MINUTES=0)' });
} else if (helpOf('pretrain').includes('--max-minutes') && helpOf('vocab').includes('--text')) {
  const vocabDir = join(work, 'vocab');
  const vocab = await run(process.execPath, [cli, 'vocab', '--text', trainText, '--out', vocabDir], { seconds: 60 });
  // The small config as the shipped BiLM was trained (1 thread), and the reference config data-parallel on every core
  // (the training target).
  for (const [config, threads, target] of [['small', 1, ''], ['reference', cores, '>= 800']]) {
    const result =
      vocab.code === 0
        ? await run(
            process.execPath,
            [cli, 'pretrain', '--text', trainText, '--vocab', vocabDir, '--config', config, '--out', join(work, `lm-${config}`),
              '--heldout-sentences', '50', '--max-minutes', String(trainingMinutes), '--threads', String(threads), '--progress-json'],
            { seconds: trainingMinutes * 60 + 60 },
          )
        : vocab;
    const events = jsonLines(result.stdout + '\n' + result.stderr);
    raw[`pretrain-${config}`] = { exit: result.code, events: events.slice(-5) };
    trainingRow(`pretrain (${config} config, ${threads} thread${threads > 1 ? 's' : ''})`, events, result, `${trainingMinutes} min on the bench corpus`, target, threads);
  }
} else {
  row('pretrain throughput', null, 'tokens/s', { note: 'n/a: `bioner pretrain` cannot be time-boxed (no --max-minutes) yet' });
}
const bc5cdr = join(dataDir, 'bc5cdr');
if (trainingMinutes <= 0) {
  // reported above
} else if (helpOf('train').includes('--max-minutes') && existsSync(join(bc5cdr, 'train.tsv'))) {
  const result = await run(
    process.execPath,
    [cli, 'train', '--train', join(bc5cdr, 'train.tsv'), '--dev', join(bc5cdr, 'devel.tsv'), '--representation', 'small',
      '--out', join(work, 'tagger'), '--max-minutes', String(trainingMinutes), '--epochs', '1', '--progress-json'],
    { seconds: trainingMinutes * 60 + 90 },
  );
  const events = jsonLines(result.stdout + '\n' + result.stderr);
  raw.train = { exit: result.code, events: events.slice(-5) };
  trainingRow('train (fine-tune, small BiLM)', events, result, `${trainingMinutes} min on BC5CDR train`);
} else {
  row('train throughput', null, 'tokens/s', { note: 'n/a: `bioner train` cannot be time-boxed (no --max-minutes) yet' });
}

rmSync(work, { recursive: true, force: true });

// --- report ----------------------------------------------------------------------------------------------------------
function targetMet(value, target) {
  const m = /^\s*(<=|>=|<|>)\s*([\d.]+)/.exec(String(target ?? ''));
  if (!m || typeof value !== 'number') return null;
  const limit = Number(m[2]);
  return { '<=': value <= limit, '>=': value >= limit, '<': value < limit, '>': value > limit }[m[1]];
}

function format(value) {
  if (value == null) return 'n/a';
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return value.toFixed(value >= 10 ? 1 : 2);
}

const table = [['figure', 'value', 'unit', 'target', 'met', 'note']].concat(
  rows.map((r) => [r.metric, format(r.value), r.unit, r.target, r.ok === null ? '' : r.ok ? 'yes' : 'NO', r.note]),
);
const widths = table[0].map((_, c) => Math.max(...table.map((r) => String(r[c]).length)));
const line = (r) => r.map((cell, c) => (c === 1 ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c]))).join(' | ').trimEnd();
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`BioNER bench, ${new Date().toISOString()}, ${cores} cores (${cpu}), Node ${process.version}, model: ${modelNote}`);
console.log(`corpus: ${documents} PubMed abstracts, ${sentences} sentences, ${wsTokens} whitespace tokens`);
console.log(line(table[0]));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of table.slice(1)) console.log(line(r));
const results = {
  date: new Date().toISOString(),
  machine: { cores, cpu, node: process.version },
  model: { dir: modelDir, note: modelNote },
  corpus: { source, documents, sentences, whitespaceTokens: wsTokens, tokenizerTokens: corpusTokens },
  rows,
  raw,
  seconds: (Date.now() - startedAt) / 1000,
};
writeFileSync(join(repo, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`(${Math.round(results.seconds)} s; details in bench/results.json)`);
