// End-to-end checks of `bioner convert` and `bioner eval` through the built CLI (dist/cli.js; scripts/test.mjs builds it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const fixtures = join(root, 'test', 'fixtures');
const scratch = mkdtempSync(join(tmpdir(), 'bioner-convert-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function bioner(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: scratch });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function ok(...args: string[]): string {
  const run = bioner(...args);
  assert.equal(run.status, 0, `bioner ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

describe('bioner convert', () => {
  before(() => {
    if (!existsSync(cli)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'ignore' });
  });

  it('JSONL -> BRAT -> JSONL is the identity', () => {
    const input = join(fixtures, 'formats', 'round-trip.jsonl');
    ok('convert', input, join(scratch, 'brat'));
    ok('convert', join(scratch, 'brat'), join(scratch, 'back.jsonl'));
    assert.equal(readFileSync(join(scratch, 'back.jsonl'), 'utf8'), readFileSync(input, 'utf8'));
  });

  it('CoNLL -> JSONL -> CoNLL is the identity for whitespace-joined text', () => {
    const input = join(fixtures, 'formats', 'iob2.conll');
    ok('convert', input, join(scratch, 'c.jsonl'));
    ok('convert', join(scratch, 'c.jsonl'), join(scratch, 'c.conll'), '--tokenization', 'whitespace');
    assert.equal(readFileSync(join(scratch, 'c.conll'), 'utf8'), readFileSync(input, 'utf8'));
  });

  it('writes BIOES and reads IOB1', () => {
    ok('convert', join(fixtures, 'formats', 'iob1.conll'), join(scratch, 'bioes.conll'), '--scheme', 'bioes');
    const tags = readFileSync(join(scratch, 'bioes.conll'), 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split('\t')[1]);
    assert.deepEqual(tags, ['S-ORG', 'O', 'S-MISC', 'O', 'O', 'S-LOC', 'S-LOC', 'O', 'S-Protein', 'S-Protein']);
  });

  it('tokenizes raw documents for CoNLL output and reports misaligned entities', () => {
    const input = join(scratch, 'raw.jsonl');
    writeFileSync(input, JSON.stringify({ id: 'r', text: 'Patients got 5-FU. It hurt.', entities: [{ start: 15, end: 17, label: 'Chemical' }] }) + '\n');
    const run = bioner('convert', input, join(scratch, 'raw.conll'));
    assert.equal(run.status, 0);
    assert.match(run.stderr, /warning: r: Chemical 15-17 "FU" does not fall on token boundaries: widened to "5-FU"/);
    assert.equal(readFileSync(join(scratch, 'raw.conll'), 'utf8'), 'Patients\tO\ngot\tO\n5-FU\tB-Chemical\n.\tO\n\nIt\tO\nhurt\tO\n.\tO\n');
    ok('convert', input, join(scratch, 'raw-conll-style.conll'), '--tokenization', 'conll-style');
    assert.equal(
      readFileSync(join(scratch, 'raw-conll-style.conll'), 'utf8'),
      'Patients\tO\ngot\tO\n5\tO\n-\tO\nFU\tB-Chemical\n.\tO\n\nIt\tO\nhurt\tO\n.\tO\n',
    );
  });

  it('refuses to overwrite without --force and reports bad input without a stack trace', () => {
    writeFileSync(join(scratch, 'exists.jsonl'), 'keep me\n');
    const refused = bioner('convert', join(fixtures, 'formats', 'sample.jsonl'), join(scratch, 'exists.jsonl'));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /already exists/);
    assert.equal(readFileSync(join(scratch, 'exists.jsonl'), 'utf8'), 'keep me\n');
    ok('convert', join(fixtures, 'formats', 'sample.jsonl'), join(scratch, 'exists.jsonl'), '--force');
    assert.notEqual(readFileSync(join(scratch, 'exists.jsonl'), 'utf8'), 'keep me\n');

    const bad = bioner('convert', join(fixtures, 'bad', 'unknown-tag.conll'), join(scratch, 'never.jsonl'));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^bioner: .*unknown-tag\.conll:2: unknown tag "X-Foo"/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
    assert.equal(existsSync(join(scratch, 'never.jsonl')), false);
  });
});

describe('bioner eval', () => {
  it('prints a table and JSON across formats', () => {
    const gold = join(fixtures, 'formats', 'iob2.conll');
    const pred = join(scratch, 'pred.jsonl');
    writeFileSync(
      pred,
      [
        // doc1 text as written by CoNLL -> JSONL: "Selegiline - induced postural hypotension .\nParkinson ' s disease ( PD )\n"
        JSON.stringify({ id: 'doc1', text: "Selegiline - induced postural hypotension .\nParkinson ' s disease ( PD )\n", entities: [{ start: 0, end: 10, label: 'Chemical' }, { start: 21, end: 41, label: 'Disease' }, { start: 44, end: 65, label: 'Disease' }] }),
        JSON.stringify({ id: 'doc2', text: 'Naloxone reverses clonidine L - dopa .\n', entities: [{ start: 0, end: 8, label: 'Chemical' }, { start: 18, end: 27, label: 'Disease' }] }),
      ].join('\n') + '\n',
    );
    // Gold: Chemical x4 (Selegiline, Naloxone, clonidine, L - dopa), Disease x3 (postural hypotension, Parkinson ' s
    // disease, PD). Pred: Chemical Selegiline, Naloxone (both right); Disease: the first two right, "clonidine" wrong.
    const table = ok('eval', gold, pred);
    assert.match(table, /^Chemical\s+100\.00\s+50\.00\s+66\.67\s+4\s+2\s+2$/m);
    assert.match(table, /^Disease\s+66\.67\s+66\.67\s+66\.67\s+3\s+3\s+2$/m);
    const report = JSON.parse(ok('eval', gold, pred, '--json'));
    assert.deepEqual([report.overall.gold, report.overall.predicted, report.overall.correct], [7, 5, 4]);
  });
  it('fails cleanly on a missing file', () => {
    const run = bioner('eval', join(scratch, 'nope.conll'), join(scratch, 'nope2.conll'));
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^bioner: .*nope\.conll: no such file/);
  });
});
