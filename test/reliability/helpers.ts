// Shared by the reliability tests: run the built CLI (optionally with the no-network preload), make a tiny neural
// model directory, corrupt copies of it, and check that a failure is a clean user error.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { initEngine } from '../../server/src/engine/backend';
import { saveModelDir } from '../../server/src/model/modelDir';
import { TINY_DATA, tinyModel } from '../unit/helpers/tinyTagger';

export const repoRoot = join(__dirname, '..', '..');
export const cliPath = join(repoRoot, 'dist', 'cli.js');
export const lexiconModel = join(repoRoot, 'test', 'fixtures', 'models', 'lexicon');
export const badFixtures = join(repoRoot, 'test', 'fixtures', 'bad');
export const noNetworkPreload = join(repoRoot, 'scripts', 'no-network.cjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra node flags before dist/cli.js (e.g. ['--require', noNetworkPreload]). */
  nodeArgs?: string[];
  timeoutMs?: number;
}

/** Runs `node dist/cli.js ...args` to completion. */
export function runCli(args: string[], options: RunOptions = {}): CliResult {
  const run = spawnSync(process.execPath, [...(options.nodeArgs ?? []), cliPath, ...args], {
    input: options.input ?? '',
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** Starts the CLI without waiting (to kill it mid-write). */
export function startCli(args: string[], options: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), cliPath, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A stack trace line ("    at fn (file:1:2)") anywhere in the output. */
export const STACK_LINE = /^\s+at .+[:(]/m;

/**
 * Asserts that a CLI run failed as a user error: exit code 1, one `bioner: <message>` naming `file` (and the line
 * when given), and no stack trace.
 */
export function assertUserFailure(run: CliResult, file: RegExp, message?: RegExp): void {
  assert.equal(run.code, 1, `expected exit 1, got ${run.code}\nstdout: ${run.stdout.slice(0, 500)}\nstderr: ${run.stderr}`);
  assert.match(run.stderr, /^bioner: /m);
  assert.match(run.stderr, file, run.stderr);
  if (message) assert.match(run.stderr, message, run.stderr);
  assert.doesNotMatch(run.stderr, STACK_LINE, 'no stack trace');
  assert.doesNotMatch(run.stderr, /internal error/);
}

const scratchDirs: string[] = [];
// Scratch folders hold generated files of up to 10 MB: removed when the test process ends.
process.once('exit', () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bioner-rel-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

let tinyModelSource: string | undefined;

/**
 * A tiny untrained neural model directory (TINY_CONFIG BiLM + 16-unit task BiLSTM + CRF, labels Chemical/Disease),
 * saved once per test process; every call returns a fresh copy the caller may damage.
 */
export async function tinyNeuralModelDir(): Promise<string> {
  if (!tinyModelSource) {
    await initEngine({ backend: 'cpu' });
    tinyModelSource = join(scratchDir('tiny-model'), 'model');
    const model = tinyModel();
    await saveModelDir(tinyModelSource, model, { name: 'tiny-neural' });
    model.dispose();
  }
  const copy = join(scratchDir('model-copy'), 'model');
  cpSync(tinyModelSource, copy, { recursive: true });
  return copy;
}

/** The tiny training data as a CoNLL file (for `bioner train`). */
export function tinyConll(dir: string, name = 'tiny.conll'): string {
  const path = join(dir, name);
  writeFileSync(path, TINY_DATA.map((s) => s.tokens.map((t, i) => `${t}\t${s.tags[i]}`).join('\n')).join('\n\n') + '\n');
  return path;
}

export function editJson(file: string, edit: (value: Record<string, any>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8'));
  edit(value);
  writeFileSync(file, JSON.stringify(value, null, 2));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
