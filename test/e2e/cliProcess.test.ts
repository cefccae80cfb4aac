// runCli, the extension's way of running `bioner train` / `bioner tag`: progress events from stdout and stderr, the
// user-facing error of a failed run, and Cancel stopping the process.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type * as vscode from 'vscode';
import { CliCancelled, CliError, runCli, type CliEvent } from '../../client/src/cliProcess';

/** A stand-in for dist/cli.js whose behaviour is picked by its first argument. */
const FAKE_CLI = `
const mode = process.argv[2];
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
if (mode === 'ok') {
  out({ event: 'epoch', epoch: 1, loss: 0.5, devF1: 0.7 });
  process.stdout.write('a plain line\\n');
  process.stderr.write(JSON.stringify({ event: 'progress', done: 1, total: 2 }) + '\\n');
  out({ event: 'done', devF1: 0.8 });
} else if (mode === 'fail') {
  process.stderr.write('bioner: notes/a.ann:3: expected "T<n><TAB>LABEL START END<TAB>TEXT"\\n');
  process.exit(1);
} else if (mode === 'partial') {
  process.stderr.write(JSON.stringify({ event: 'done', summary: { skipped: [{ file: 'x.txt', reason: 'is empty' }] } }) + '\\n');
  process.exit(2);
} else if (mode === 'slow') {
  process.on('SIGINT', () => { require('fs').writeFileSync(process.argv[3], 'interrupted'); process.exit(130); });
  out({ event: 'progress', done: 0, total: 10 });
  setInterval(() => {}, 1000);
}
`;

function fakeCli(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-fake-cli-'));
  const file = path.join(dir, 'cli.js');
  fs.writeFileSync(file, FAKE_CLI);
  return file;
}

function log(): vscode.OutputChannel & { lines: string[] } {
  const lines: string[] = [];
  return { lines, appendLine: (line: string) => lines.push(line) } as unknown as vscode.OutputChannel & { lines: string[] };
}

/** A cancellation token that can be triggered by hand. */
function cancellation(): { token: vscode.CancellationToken; cancel(): void } {
  const listeners: Array<() => void> = [];
  const token = {
    isCancellationRequested: false,
    onCancellationRequested: (listener: () => void) => {
      listeners.push(listener);
      return { dispose() {} };
    },
  } as unknown as vscode.CancellationToken;
  return {
    token,
    cancel: () => {
      (token as { isCancellationRequested: boolean }).isCancellationRequested = true;
      for (const l of listeners) l();
    },
  };
}

describe('runCli', () => {
  it('reports JSON events from stdout and stderr in order and logs the other lines', async () => {
    const output = log();
    const seen: CliEvent[] = [];
    const result = await runCli({ cliPath: fakeCli(), args: ['ok'], log: output, onEvent: (e) => seen.push(e) });
    assert.deepEqual(seen.map((e) => e.event).sort(), ['done', 'epoch', 'progress']);
    assert.deepEqual(result.done, { event: 'done', devF1: 0.8 });
    assert.ok(output.lines.includes('a plain line'));
    assert.ok(output.lines[0].startsWith('$ bioner ok'));
  });

  it('fails with the CLI message (without the "bioner:" prefix) when the CLI fails', async () => {
    await assert.rejects(runCli({ cliPath: fakeCli(), args: ['fail'], log: log() }), (error: unknown) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, 1);
      assert.equal(error.message, 'notes/a.ann:3: expected "T<n><TAB>LABEL START END<TAB>TEXT"');
      return true;
    });
  });

  it('an exit code listed in successCodes (bioner tag: 2 = done, some files skipped) resolves with the done event', async () => {
    const result = await runCli({ cliPath: fakeCli(), args: ['partial'], log: log(), successCodes: [0, 2] });
    assert.deepEqual((result.done?.summary as { skipped: unknown[] }).skipped, [{ file: 'x.txt', reason: 'is empty' }]);
    await assert.rejects(runCli({ cliPath: fakeCli(), args: ['partial'], log: log() }), (error: unknown) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, 2);
      return true;
    });
  });

  it('Cancel interrupts the process (SIGINT, so it can clean up) and rejects with CliCancelled', async () => {
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-cancel-')), 'marker');
    const { token, cancel } = cancellation();
    const run = runCli({
      cliPath: fakeCli(),
      args: ['slow', marker],
      log: log(),
      token,
      onEvent: (e) => e.event === 'progress' && cancel(),
    });
    await assert.rejects(run, CliCancelled);
    assert.equal(fs.readFileSync(marker, 'utf8'), 'interrupted');
  });
});
