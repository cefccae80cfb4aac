// One pipeline (tagging/pipeline.ts) for the editor and `bioner tag`: on BC5CDR test abstracts, with the shipped model,
// the language server's semantic tokens are exactly the entities `bioner tag` writes (spans and labels; tokens cannot
// overlap, so an entity inside an earlier one is left out of both sides).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePubtator } from '../../server/src/formats/pubtator';
import { decodeTokens, tokenTypeOf } from '../../server/src/lsp/semanticTokens';
import { runCli } from '../fixtures/bulk/cli';
import { LspTestClient, repoRoot } from './lspClient';

const shipped = join(repoRoot, 'models', 'default');
const abstracts = join(repoRoot, '..', 'shared', 'data', 'bc5cdr', 'pubtator', 'CDR_TestSet.PubTator.txt');
const ABSTRACTS = 12;
const skip = !existsSync(join(shipped, 'config.json')) ? 'no shipped model' : !existsSync(abstracts) && `no ${abstracts}`;

/** "start-end-type" of each entity in document order, leaving out those overlapping an earlier one (as tokens do). */
function spans(entities: Array<{ start: number; end: number; label: string }>): string[] {
  let covered = -1;
  const kept: string[] = [];
  for (const e of [...entities].sort((a, b) => a.start - b.start || b.end - a.end)) {
    if (e.start < covered) continue;
    covered = e.end;
    kept.push(`${e.start}-${e.end}-${tokenTypeOf(e.label)}`);
  }
  return kept;
}

test('BC5CDR test abstracts: the editor shows the entities bioner tag writes', { skip, timeout: 300_000 }, async () => {
  const docs = parsePubtator(readFileSync(abstracts, 'utf8'), abstracts).slice(0, ABSTRACTS);
  const dir = mkdtempSync(join(tmpdir(), 'bioner-same-'));
  const input = join(dir, 'abstracts.jsonl');
  writeFileSync(input, docs.map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
  const run = runCli(['tag', input, '--format', 'jsonl', '--model', shipped]);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(run.code, 0, run.stderr);
  const fromCli = new Map<string, string[]>(
    run.stdout.trim().split('\n').map((line) => {
      const out = JSON.parse(line) as { id: string; entities: Array<{ start: number; end: number; label: string }> };
      return [out.id, spans(out.entities)];
    }),
  );

  const client = await LspTestClient.start({ model: shipped });
  try {
    let entities = 0;
    for (const doc of docs) {
      assert.ok(!doc.text.includes('\n'), 'an abstract is one line: token characters are document offsets');
      const uri = `untitled:abstract-${doc.id}`;
      client.open(uri, doc.text);
      const shown = decodeTokens((await client.tokens(uri)).data).map((t) => `${t.character}-${t.character + t.length}-${t.type}`);
      assert.deepEqual(shown, fromCli.get(doc.id), `abstract ${doc.id}`);
      entities += shown.length;
    }
    assert.ok(entities > 10 * ABSTRACTS, `${entities} entities: the model tagged these abstracts`);
  } finally {
    await client.stop();
  }
});
