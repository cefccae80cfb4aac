// A JSONL file streamed from disk (bulk/documents.ts: scanJsonl, then streamJsonl), as `bioner tag` reads every JSONL
// file (and a --queue run shards one of any size): the same documents as parsing the whole text, whatever falls on
// a chunk boundary (1 MiB reads): a line longer than a chunk, a character split between two chunks, CRLF, a BOM, blank
// lines, no final newline. A bad line is found by the first pass, at its file:line, before any document is handed on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonlDocuments, scanJsonl, streamJsonl, type BulkDocument } from '../../server/src/bulk/documents';

const MiB = 1024 * 1024;

async function streamed(path: string): Promise<BulkDocument[]> {
  const documents: BulkDocument[] = [];
  for await (const doc of streamJsonl(path)) documents.push(doc);
  return documents;
}

function withFile(content: string | Buffer, use: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bioner-jsonl-'));
  const path = join(dir, 'big.jsonl');
  writeFileSync(path, content);
  return use(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('streamed documents equal the whole file parsed, across chunk boundaries', async () => {
  const lines: string[] = [];
  // A line of 2.5 MiB spans three reads; "é" and "😀" land on chunk boundaries somewhere among the short lines.
  lines.push(JSON.stringify({ id: 'long', text: `fever ${'x'.repeat(2.5 * MiB)} aspirin` }));
  for (let i = 0; i < 40_000; i++) lines.push(i % 997 === 0 ? '   ' : JSON.stringify({ id: i, text: `Patient ${i} é 😀 was given aspirin.` }));
  const content = `\uFEFF${lines.join('\r\n')}`; // a BOM, CRLF line ends, no final newline
  await withFile(content, async (path) => {
    const expected = parseJsonlDocuments(content.slice(1), path);
    const scan = await scanJsonl(path, 64 * MiB);
    assert.deepEqual(scan, { documents: expected.length, hash: createHash('sha256').update(readFileSync(path)).digest('hex') });
    const documents = await streamed(path);
    assert.equal(documents.length, expected.length);
    assert.deepEqual(documents, expected);
    assert.equal(documents.at(-1)!.line, lines.length);
  });
});

test('a bad line far past the first chunk is a UserError at file:line from the first pass', async () => {
  const lines = Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ id: i, text: `note ${i}` }));
  lines[54_321] = '{"id": 1, "text": 5}';
  await withFile(`${lines.join('\n')}\n`, async (path) => {
    await assert.rejects(scanJsonl(path, 64 * MiB), { message: `${path}:54322: expected an object {"id": ..., "text": "..."} with a string "text"` });
  });
});

test('binary, invalid UTF-8, too large and blank files are skipped with a reason', async () => {
  const good = `${JSON.stringify({ text: 'fever' })}\n`;
  await withFile(Buffer.concat([Buffer.from(good.repeat(3)), Buffer.from([0xc3, 0x28, 0x0a])]), async (path) => {
    assert.deepEqual(await scanJsonl(path, MiB), { skipped: `binary or not UTF-8 (${path}:4: is not valid UTF-8 text (convert it to UTF-8 first))` });
  });
  await withFile(Buffer.concat([Buffer.from(good), Buffer.from([0x00])]), async (path) => {
    assert.match((await scanJsonl(path, MiB) as { skipped: string }).skipped, /^binary or not UTF-8 \(.*:2: contains a NUL byte/);
  });
  await withFile(good.repeat(100), async (path) => {
    assert.deepEqual(await scanJsonl(path, 1000), { skipped: 'larger than --max-file-size (1000 bytes)' });
  });
  await withFile('\n  \n\r\n', async (path) => {
    assert.deepEqual(await scanJsonl(path, MiB), { skipped: 'has no documents (every line is blank): nothing to tag' });
  });
});

test('a file rewritten between the two passes, or while it is streamed, is a UserError at the end of the stream, not a mix', async () => {
  const lines = (tag: string) => Array.from({ length: 40_000 }, (_, i) => `${JSON.stringify({ id: i, text: `Patient ${i} was given ${tag}.` })}\n`).join('');
  await withFile(lines('aspirin'), async (path) => {
    const scan = await scanJsonl(path, 64 * MiB);
    assert.ok('hash' in scan);
    const documents: BulkDocument[] = [];
    const read = (async () => {
      for await (const doc of streamJsonl(path, scan.hash)) {
        documents.push(doc);
        // Rewritten in place (same file, same size) once the first chunk is being read: later chunks hold the new text.
        if (documents.length === 1) writeFileSync(path, lines('heparin'));
      }
    })();
    await assert.rejects(read, { message: `${path}: changed while it was being read (its documents are not what was checked and hashed): run again to tag what it holds now` });
    assert.ok(documents.some((d) => d.text.includes('heparin')), 'the stream did read the new text');
  });
  await withFile(lines('aspirin'), async (path) => {
    const scan = await scanJsonl(path, 64 * MiB);
    assert.ok('hash' in scan);
    let n = 0;
    for await (const _ of streamJsonl(path, scan.hash)) n++;
    assert.equal(n, 40_000, 'an unchanged file streams as before');
  });
});
