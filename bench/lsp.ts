// Language-server latency (run with tsx: `node --import tsx bench/lsp.ts [modelDir]`): starts dist/server.js --stdio,
// opens a 2,000-token document of distinct sentences, and measures
//   - the first full tag: didOpen -> semantic tokens of the whole note;
//   - one-character edits (insert or delete inside a word, all over the note): didChange -> refreshed semantic
//     tokens (full/delta), p50 and p95 (target p95 <= 50 ms);
//   - the same edits, alternating one by one, on a second server built without the assertion pass
//     (bench/serverWithoutAssertion.ts): p50/p95 with and without it and the difference (issue 19: the pass must add
//     nothing measurable to the edit p95);
//   - the same on a document just under bioner.maxFileSize (the note repeated to ~1 MB), where the per-edit
//     bookkeeping over the whole document dominates.
// Prints JSON lines for bench/run.mjs; asserts nothing. Model: the argument, else models/default if present, else
// the lexicon test fixture.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import type { SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver-protocol';
import { LspTestClient, lexiconModel, repoRoot } from '../test/lsp/lspClient';

const EDITS = Number(process.env.BIONER_BENCH_LSP_EDITS ?? 200);
const TOKENS = 2000;

function modelDirFromArgs(): { dir: string; note: string } {
  if (process.argv[2]) return { dir: resolve(process.argv[2]), note: process.argv[2] };
  const shipped = join(repoRoot, 'models', 'default');
  if (existsSync(join(shipped, 'config.json'))) return { dir: shipped, note: 'models/default' };
  return { dir: lexiconModel, note: 'lexicon test fixture (no models/default yet)' };
}

/**
 * A note of TOKENS whitespace tokens, all sentences distinct (repeated sentences would be answered from the cache):
 * PubMed sentences from $BIONER_DATA/pubmed-text/bc2gm.txt (default ../shared/data), eight to a paragraph; without
 * the data, the bundled example notes with a running number in every sentence.
 */
function makeNote(): { text: string; source: string } {
  const dataDir = resolve(repoRoot, process.env.BIONER_DATA ?? join('..', 'shared', 'data'));
  const corpus = join(dataDir, 'pubmed-text', 'bc2gm.txt');
  let sentences: string[];
  let source: string;
  if (existsSync(corpus)) {
    sentences = readFileSync(corpus, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    source = 'PubMed sentences';
  } else {
    const folder = join(repoRoot, 'examples', 'notes');
    const notes = readdirSync(folder).sort().map((f) => readFileSync(join(folder, f), 'utf8'));
    const base = notes.flatMap((n) => n.split(/(?<=[.!?])\s+/)).map((l) => l.trim()).filter(Boolean);
    sentences = Array.from({ length: 400 }, (_, i) => `${base[i % base.length]} (${i})`);
    source = 'example notes, numbered';
  }
  const paragraphs: string[] = [];
  let current: string[] = [];
  let count = 0;
  for (const sentence of sentences) {
    if (count >= TOKENS) break;
    const words = sentence.split(/\s+/);
    const taken = words.slice(0, TOKENS - count);
    count += taken.length;
    current.push(taken.join(' '));
    if (current.length === 8) paragraphs.push(current.splice(0).join(' '));
  }
  if (current.length) paragraphs.push(current.join(' '));
  return { text: paragraphs.join('\n\n') + '\n', source };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/**
 * One-character edits of one document, one at a time: insert a letter inside a word, then delete it again, at seeded
 * random places (the same sequence for every instance). Each step times didChange -> refreshed semantic tokens.
 */
class EditSequence {
  private seed = 42;
  private inserted: number | undefined;
  readonly latencies: number[] = [];

  constructor(
    private readonly client: LspTestClient,
    private readonly uri: string,
    private text: string,
    private last: SemanticTokens,
  ) {}

  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
    return this.seed / 2 ** 31;
  }

  async step(): Promise<void> {
    let change;
    const text = this.text;
    if (this.inserted === undefined) {
      let offset = Math.floor(this.random() * text.length);
      while (!/\w/.test(text[offset] ?? '')) offset = (offset + 1) % text.length;
      const at = positionAt(text, offset);
      change = { range: { start: at, end: at }, text: 'x' };
      this.text = text.slice(0, offset) + 'x' + text.slice(offset);
      this.inserted = offset;
    } else {
      const at = positionAt(text, this.inserted);
      change = { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' };
      this.text = text.slice(0, this.inserted) + text.slice(this.inserted + 1);
      this.inserted = undefined;
    }
    const t0 = performance.now();
    this.client.change(this.uri, [change]);
    const delta: SemanticTokens | SemanticTokensDelta = await this.client.connection.sendRequest('textDocument/semanticTokens/full/delta', {
      textDocument: { uri: this.uri },
      previousResultId: this.last.resultId,
    });
    this.latencies.push(performance.now() - t0);
    this.last = 'data' in delta ? delta : { resultId: delta.resultId, data: [] };
  }

  sorted(): number[] {
    return [...this.latencies].sort((a, b) => a - b);
  }
}

/** dist/bench-server-without-assertion.js: the server without the assertion pass (bench/serverWithoutAssertion.ts). */
async function buildServerWithoutAssertion(): Promise<string> {
  const outfile = join(repoRoot, 'dist', 'bench-server-without-assertion.js');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'bench', 'serverWithoutAssertion.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
    external: ['vscode', '@tensorflow/tfjs-node'],
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__importMetaUrl' },
  });
  return outfile;
}

async function main(): Promise<void> {
  const { dir, note } = modelDirFromArgs();
  const withoutAssertionScript = await buildServerWithoutAssertion();
  const loadStarted = performance.now();
  const client = await LspTestClient.start({ model: dir });
  const loadMs = performance.now() - loadStarted;
  const withoutAssertion = await LspTestClient.start({ model: dir }, { serverScript: withoutAssertionScript });
  try {
    const uri = 'untitled:bench-note';
    const { text, source } = makeNote();
    const started = performance.now();
    client.open(uri, text);
    const last: SemanticTokens = await client.tokens(uri);
    const firstMs = performance.now() - started;
    const entityCount = LspTestClient.decode(text, last).length;

    withoutAssertion.open(uri, text);
    const edits = new EditSequence(client, uri, text, last);
    const editsWithout = new EditSequence(withoutAssertion, uri, text, await withoutAssertion.tokens(uri));
    // Alternating, so that whatever else the machine does falls on both alike; who goes first alternates too.
    for (let i = 0; i < EDITS; i++) {
      for (const sequence of i % 2 === 0 ? [edits, editsWithout] : [editsWithout, edits]) await sequence.step();
    }
    await withoutAssertion.stop();
    const latencies = edits.sorted();
    const latenciesWithout = editsWithout.sorted();
    const bigText = text.repeat(Math.floor(1_000_000 / Buffer.byteLength(text)));
    const bigUri = 'untitled:bench-big-note';
    client.open(bigUri, bigText);
    const bigEdits = new EditSequence(client, bigUri, bigText, await client.tokens(bigUri));
    for (let i = 0; i < 40; i++) await bigEdits.step();
    const bigLatencies = bigEdits.sorted();
    const round = (x: number) => Math.round(x * 10) / 10;
    const metrics = [
      { metric: 'LSP model load (server start to model ready)', value: round(loadMs), unit: 'ms', note },
      { metric: `LSP first full tag, ${TOKENS}-token note (${entityCount} entities)`, value: round(firstMs), unit: 'ms', note: `${note}; ${source}` },
      { metric: 'LSP edit latency p50 (1-char edit -> semantic tokens)', value: round(percentile(latencies, 50)), unit: 'ms', note },
      { metric: 'LSP edit latency p95', value: round(percentile(latencies, 95)), unit: 'ms', target: '<= 50', note },
      {
        metric: 'LSP edit latency p95 without the assertion pass',
        value: round(percentile(latenciesWithout, 95)),
        unit: 'ms',
        note: `p50 ${round(percentile(latenciesWithout, 50))} ms; bench-only server build (bench/serverWithoutAssertion.ts), the same ${EDITS} edits alternating with the server above`,
      },
      {
        metric: 'LSP edit latency p95, with minus without the assertion pass',
        value: round(percentile(latencies, 95) - percentile(latenciesWithout, 95)),
        unit: 'ms',
        note: `p50 ${round(percentile(latencies, 50) - percentile(latenciesWithout, 50))} ms; issue 19: nothing measurable`,
      },
      { metric: `LSP edit latency p50, ${Math.round(bigText.length / 1000)} kB document`, value: round(percentile(bigLatencies, 50)), unit: 'ms', note },
      { metric: `LSP edit latency p95, ${Math.round(bigText.length / 1000)} kB document`, value: round(percentile(bigLatencies, 95)), unit: 'ms', note },
    ];
    process.stdout.write(JSON.stringify({ metrics }) + '\n');
    for (const m of metrics) process.stderr.write(`${m.metric}: ${m.value} ${m.unit}${m.target ? ` (target ${m.target})` : ''} [${m.note}]\n`);
  } finally {
    await client.stop();
    await withoutAssertion.stop();
  }
}

void main();
