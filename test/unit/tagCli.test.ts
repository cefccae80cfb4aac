// `bioner tag` printing to stdout: each format, JSONL id/line order, stdin, and user errors (exit 1, no stack).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureNotes, lexiconModel, runCli } from '../fixtures/bulk/cli';

const visit = join(fixtureNotes, 'visit.txt');
const batch = join(fixtureNotes, 'clinic', 'batch.jsonl');
const tag = (...args: string[]) => runCli(['tag', ...args, '--model', lexiconModel]);

test('jsonl: one object per document with exact offsets into the text', () => {
  const run = tag(visit);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const doc = JSON.parse(lines[0]);
  assert.equal(doc.file, 'visit.txt');
  const text = readFileSync(visit, 'utf8');
  assert.deepEqual(
    doc.entities.map((e: { label: string; text: string }) => [e.label, e.text]),
    [['DISEASE', 'cystic fibrosis'], ['DRUG', 'Ivacaftor'], ['DISEASE', 'fever'], ['DRUG', 'aspirin']],
  );
  for (const e of doc.entities) {
    assert.equal(text.slice(e.start, e.end), e.text);
    assert.ok(e.confidence > 0 && e.confidence <= 1);
  }
});

test('JSONL input: each output carries the input id and line, in input order', () => {
  const run = tag(batch);
  assert.equal(run.code, 0, run.stderr);
  const docs = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(docs.map((d) => [d.id, d.line]), [['n1', 1], ['n2', 2], [7, 4]]);
  assert.deepEqual(docs[0].entities.map((e: { text: string }) => e.text), ['Aspirin', 'fever']);
  assert.deepEqual(docs[1].entities, []);
  assert.deepEqual(docs[2].entities.map((e: { label: string }) => e.label), ['DISEASE', 'DRUG']);
});

test('order is kept across many documents and two workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-tag-'));
  const file = join(dir, 'many.jsonl');
  const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ id: `d${i}`, text: `${'word '.repeat(i % 37)}aspirin ${i}.` }));
  writeFileSync(file, lines.join('\n'));
  const run = tag(file, '--workers', '2', '--batch-size', '4');
  assert.equal(run.code, 0, run.stderr);
  const docs = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(docs.map((d) => d.id), lines.map((_, i) => `d${i}`));
  docs.forEach((d, i) => assert.equal(d.entities[0].start, 5 * (i % 37)));
});

test('inline: entities marked in place', () => {
  const run = runCli(['tag', '-', '--format', 'inline', '--model', lexiconModel], 'Patient diagnosed with cystic fibrosis and treated with Ivacaftor.');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'Patient diagnosed with [cystic fibrosis/DISEASE] and treated with [Ivacaftor/DRUG].\n');
});

test('conll: token<TAB>IOB2 tag, a blank line after each sentence', () => {
  const run = runCli(['tag', '-', '-f', 'conll', '--model', lexiconModel], 'Cystic fibrosis was treated. Aspirin helped.');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    'Cystic\tB-DISEASE\nfibrosis\tI-DISEASE\nwas\tO\ntreated\tO\n.\tO\n\nAspirin\tB-DRUG\nhelped\tO\n.\tO\n\n',
  );
});

test('brat: .ann lines with offsets into the file', () => {
  const run = tag(visit, '--format', 'brat');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    'T1\tDISEASE 23 38\tcystic fibrosis\nT2\tDRUG 56 65\tIvacaftor\nT3\tDISEASE 76 81\tfever\nT4\tDRUG 91 98\taspirin\n',
  );
});

test('stdin that starts with { is read as JSONL', () => {
  const run = runCli(['tag', '-', '--model', lexiconModel], '{"id":"a","text":"naloxone"}\n{"id":"b","text":"nothing"}\n');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n').map((l) => JSON.parse(l).id), ['a', 'b']);
});

test('a folder without --out prints every file, in path order', () => {
  const run = tag(fixtureNotes, '-f', 'jsonl');
  assert.equal(run.code, 0, run.stderr);
  const files = run.stdout.trim().split('\n').map((l) => JSON.parse(l).file);
  assert.deepEqual(files, ['clinic/batch.jsonl', 'clinic/batch.jsonl', 'clinic/batch.jsonl', 'clinic/overdose.md', 'visit.txt']);
  assert.match(run.stderr, /5 documents/);
});

test('user errors name the file, print no stack and exit 1', () => {
  const missing = tag('/no/such/notes');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^bioner: \/no\/such\/notes: no such file or folder/);
  const badModel = runCli(['tag', visit, '--model', '/no/such/model']);
  assert.equal(badModel.code, 1);
  assert.match(badModel.stderr, /\/no\/such\/model\/config\.json/);
  const dir = mkdtempSync(join(tmpdir(), 'bioner-tag-'));
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"id":1,"text":"ok"}\n{"id":2}\n');
  const badLine = tag(bad);
  assert.equal(badLine.code, 1);
  assert.match(badLine.stderr, /bad\.jsonl:2: /);
  for (const run of [missing, badModel, badLine]) assert.doesNotMatch(run.stderr, /\n\s+at /);
});
