// What a new user runs into, tried as one would: a folder that cannot be read, results that only look wrong (a label
// map forgotten, dev scores never measured), odd file names and labels, signals. Each case gets a clear message
// naming the file, or is reported where it was silently passed over.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertUserFailure, cliPath, lexiconModel, runCli, scratchDir, sleep, STACK_LINE, startCli, tinyConll, type CliResult } from './helpers';

const NOBODY = 65534;

/**
 * Runs the CLI as a user without root's privileges, so that a folder with mode 000 really cannot be read (root reads
 * it anyway). Returns a reason instead when that is impossible here (no setpriv, or nobody cannot run the CLI).
 */
function runUnprivileged(args: string[]): CliResult | string {
  const asNobody = (command: string[]) =>
    process.getuid?.() === 0
      ? spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...command], { encoding: 'utf8', timeout: 60_000 })
      : spawnSync(command[0], command.slice(1), { encoding: 'utf8', timeout: 60_000 });
  const probe = asNobody([process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(cliPath)})`]);
  if (probe.error || probe.status !== 0) return `cannot run the CLI without privileges here (${probe.error?.message ?? probe.stderr.trim()})`;
  const run = asNobody([process.execPath, cliPath, ...args]);
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

describe('a folder that cannot be read', () => {
  let scratch: string;
  let locked: string;
  let parent: string;
  before(() => {
    scratch = scratchDir('unreadable');
    chmodSync(scratch, 0o777); // mkdtemp makes it 0700: the unprivileged child must reach inside
    parent = join(scratch, 'notes');
    locked = join(parent, 'locked');
    mkdirSync(locked, { recursive: true });
    writeFileSync(join(parent, 'a.txt'), 'Aspirin for fever.\n');
    writeFileSync(join(locked, 'b.txt'), 'Naloxone was given.\n');
    writeFileSync(join(locked, 'b.ann'), '');
    writeFileSync(join(locked, 'c.conll'), 'Aspirin\tB-DRUG\n');
    chmodSync(locked, 0o000);
  });

  it('tag: as the folder, an error naming it; as a subfolder, listed as skipped (exit 2)', (t) => {
    const alone = runUnprivileged(['tag', locked, '--model', lexiconModel, '--workers', '0']);
    if (typeof alone === 'string') return t.skip(alone);
    assertUserFailure(alone, /locked: cannot list this folder: permission denied/);
    const within = runUnprivileged(['tag', parent, '--model', lexiconModel, '--workers', '0']) as CliResult;
    assert.equal(within.code, 2, within.stderr);
    assert.match(within.stderr, /skipped locked\/: folder not read: cannot list this folder: permission denied/);
    assert.match(within.stderr, /files: 2 seen, 0 written, 0 already up to date, 1 skipped/);
    assert.equal(within.stdout.trim().split('\n').filter((l) => l.startsWith('{')).length, 1, 'a.txt is tagged');
  });

  it('convert, train and eval: an error naming the folder, no stack trace', (t) => {
    const out = join(scratch, 'out');
    mkdirSync(out, { mode: 0o777 });
    chmodSync(out, 0o777);
    const runs: Array<[string, string[]]> = [
      ['convert', ['convert', locked, join(out, 'x.jsonl'), '--from', 'brat']],
      ['train', ['train', '--train', locked, '--representation', 'tiny', '--epochs', '1', '--out', join(out, 'model')]],
      ['eval', ['eval', locked, '--model', lexiconModel, '--gold-format', 'brat']],
    ];
    for (const [name, args] of runs) {
      const run = runUnprivileged(args);
      if (typeof run === 'string') return t.skip(run);
      assertUserFailure(run, /locked: cannot list this folder: permission denied/, undefined);
      assert.doesNotMatch(run.stderr, /EACCES|scandir/, name);
      assert.doesNotMatch(run.stderr, STACK_LINE, name);
    }
  });
});

describe('results that only look wrong', () => {
  it('eval --model with gold types unlike the model labels says so and suggests a --label-map', () => {
    const scratch = scratchDir('label-map');
    const gold = tinyConll(scratch);
    const run = runCli(['eval', gold, '--model', lexiconModel]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: no entity type in common: the gold has Chemical, Disease, .*lexicon has DISEASE, DRUG, so every strict score is 0/);
    assert.match(run.stderr, /--label-map Chemical=DRUG,Disease=DISEASE/);
    const mapped = runCli(['eval', gold, '--model', lexiconModel, '--label-map', 'Chemical=DRUG,Disease=DISEASE']);
    assert.equal(mapped.code, 0, mapped.stderr);
    assert.doesNotMatch(mapped.stderr, /no entity type in common/);
  });

  it('train without --dev prints no dev scores it did not measure', () => {
    const scratch = scratchDir('no-dev');
    const run = runCli(['train', '--train', tinyConll(scratch), '--representation', 'tiny', '--epochs', '2', '--out', join(scratch, 'model')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /epoch 1: loss \d/);
    assert.doesNotMatch(run.stderr, /dev P\/R\/F1/);
    const withDev = runCli(['train', '--train', tinyConll(scratch), '--dev', tinyConll(scratch, 'dev.conll'), '--representation', 'tiny', '--epochs', '1', '--out', join(scratch, 'model2')]);
    assert.equal(withDev.code, 0, withDev.stderr);
    assert.match(withDev.stderr, /epoch 1: loss [\d.]+, dev P\/R\/F1 /);
  });
});

describe('smaller things a new user trips over', () => {
  let scratch: string;
  before(() => {
    scratch = scratchDir('small');
  });

  it('a folder: a file name that is not UTF-8 is listed as skipped, a linked .txt is tagged, a link to a folder is listed', () => {
    const folder = join(scratch, 'names');
    mkdirSync(folder);
    writeFileSync(join(folder, 'good.txt'), 'Aspirin for fever.\n');
    writeFileSync(Buffer.concat([Buffer.from(`${folder}/bad`), Buffer.from([0xff]), Buffer.from('.txt')]), 'Naloxone.\n');
    const elsewhere = join(scratch, 'elsewhere.txt');
    writeFileSync(elsewhere, 'Naloxone was given.\n');
    symlinkSync(elsewhere, join(folder, 'linked.txt'));
    mkdirSync(join(scratch, 'other'));
    symlinkSync(join(scratch, 'other'), join(folder, 'folder-link.txt'));
    const out = join(scratch, 'names-out');
    const run = runCli(['tag', folder, '--model', lexiconModel, '--workers', '0', '--out', out]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /skipped bad\uFFFD\.txt: its name is not valid UTF-8, so it cannot be opened \(rename it\)/);
    assert.match(run.stderr, /skipped folder-link\.txt: a link to a folder: not followed/);
    assert.match(run.stderr, /files: 4 seen, 2 written/);
    assert.match(readFileSync(join(out, 'linked.jsonl'), 'utf8'), /Naloxone/);
  });

  it('a 300-character document id is refused as a file name, naming it; no internal error', () => {
    const input = join(scratch, 'long-id.jsonl');
    writeFileSync(input, JSON.stringify({ id: 'x'.repeat(300), text: 'Aspirin.', entities: [] }) + '\n');
    assertUserFailure(runCli(['convert', input, join(scratch, 'long-id-brat'), '--to', 'brat']), /document id "x+\.\.\." cannot be used as a brat file name: .* is 300 bytes, more than the 200/);
  });

  it('a "__proto__" label is counted in the summary like any other', () => {
    const model = join(scratch, 'proto-model');
    mkdirSync(model);
    writeFileSync(join(model, 'config.json'), JSON.stringify({ kind: 'lexicon', name: 'proto', formatVersion: 1 }));
    writeFileSync(join(model, 'lexicon.tsv'), 'aspirin\t__proto__\t0.9\nfever\tconstructor\t0.9\n');
    const text = join(scratch, 'proto.txt');
    writeFileSync(text, 'Aspirin for fever.\n');
    const run = runCli(['tag', text, '--model', model, '--workers', '0', '--out', join(scratch, 'proto-out')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /entities: 2 \(__proto__ 1, constructor 1\)/);
    assert.match(run.stderr, /done: 1 document, 4 tokens/);
  });

  it('SIGTERM and SIGHUP during a run leave no temp file', async () => {
    const input = join(scratch, 'many.jsonl');
    writeFileSync(input, Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ id: i, text: `Aspirin for fever, note ${i}.` })).join('\n') + '\n');
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      const out = join(scratch, `signal-${signal}`);
      const child = startCli(['tag', input, '--model', lexiconModel, '--workers', '0', '--out', out]);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while (!(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'))) && Date.now() < deadline) await sleep(5);
      assert.ok(readdirSync(out).some((f) => f.endsWith('.tmp')), `${signal}: a temp file while writing`);
      child.kill(signal);
      assert.equal(await exited, signal === 'SIGTERM' ? 143 : 129);
      assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), [], `${signal}: no temp file left`);
    }
  });

  it('tag --help names .note files; an option error gives one line, not the whole help', () => {
    assert.match(runCli(['tag', '--help']).stdout.replace(/\s+/g, ' '), /its \.txt, \.md, \.note and \.jsonl files/);
    const run = runCli(['tag', 'x.txt', '--format', 'xml']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /error: option '-f, --format <format>' argument 'xml' is invalid/);
    assert.match(run.stderr, /add --help to see the options/);
    assert.doesNotMatch(run.stderr, /Usage:|--max-file-size/);
  });
});
