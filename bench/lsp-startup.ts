// Start-up for small jobs (run with tsx: `node --import tsx bench/lsp-startup.ts [modelDir]`):
//   - one short note tagged end to end: the wall time of `node dist/cli.js tag NOTE` (process start, model load,
//     tagging, output), with the default worker count (in this thread for a small input) and with -w 2;
//   - first colours after a cold open: a fresh dist/server.js, the note opened at once (no waiting for the model),
//     until the first semantic tokens holding an entity arrive.
// Median of RUNS runs each. Prints JSON lines for bench/run.mjs; asserts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LspTestClient, lexiconModel, repoRoot } from '../test/lsp/lspClient';

const RUNS = Number(process.env.BIONER_BENCH_STARTUP_RUNS ?? 3);
const NOTE = join(repoRoot, 'examples', 'notes', 'discharge-summary.note');

function modelDir(): string {
  if (process.argv[2]) return resolve(process.argv[2]);
  const shipped = join(repoRoot, 'models', 'default');
  return existsSync(join(shipped, 'config.json')) ? shipped : lexiconModel;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function tagOnce(dir: string, extra: string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'tag', NOTE, '--model', dir, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bioner tag failed: ${r.stderr}`);
  return performance.now() - started;
}

async function firstColours(dir: string): Promise<number> {
  const text = readFileSync(NOTE, 'utf8');
  const started = performance.now();
  const client = await LspTestClient.start({ model: dir }, { waitForModel: false });
  try {
    const uri = 'untitled:cold-note';
    client.open(uri, text, 'clinical-note');
    for (;;) {
      const tokens = await client.tokens(uri);
      if (tokens.data.length > 0) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await client.stop();
  }
}

async function main(): Promise<void> {
  const dir = modelDir();
  const bytes = readFileSync(NOTE).length;
  const auto: number[] = [];
  const two: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    auto.push(tagOnce(dir, []));
    two.push(tagOnce(dir, ['--workers', '2']));
    cold.push(await firstColours(dir));
  }
  const note = `examples/notes/discharge-summary.note (${bytes} bytes), median of ${RUNS}`;
  const metrics = [
    { metric: 'one short note tagged end to end (bioner tag, default workers)', value: Math.round(median(auto)), unit: 'ms', target: '<= 1000', note },
    { metric: 'one short note tagged end to end (bioner tag -w 2)', value: Math.round(median(two)), unit: 'ms', note },
    { metric: 'first colours after a cold open (server start to first entity)', value: Math.round(median(cold)), unit: 'ms', target: '<= 2000', note },
  ];
  console.log(JSON.stringify({ metrics }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
