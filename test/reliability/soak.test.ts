// Soak: 5,000 random edits through the language server (batched didChange notifications, interleaved with semantic
// token requests) on a tiny neural model. No tensor leaks in the model worker (bioner/debugStats), memory stays
// bounded, and the tokens of the edited document equal those of a fresh document opened with the final text.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { DebugStatsMethod, type DebugStatsResult } from '../../server/src/lsp/protocol';
import { LspTestClient } from '../lsp/lspClient';
import { tinyNeuralModelDir } from './helpers';

const EDITS = 5_000;
const MAX_CHANGES_PER_NOTIFICATION = 5;
const NOTIFICATIONS_PER_TOKEN_REQUEST = 40;
const MAX_TEXT = 3_000;
const WORDS = ['Aspirin', 'induced', 'asthma', 'in', 'two', 'patients', 'Cisplatin', 'causes', 'renal', 'failure', 'valproic', 'acid', 'naloxone', 'fever', 'the', 'was', 'stopped', '5-FU', 'IL-2', 'Dr.', 'e.g.', '😀', 'שלום', '(', ')', ',', '.', '.\n', '\n\n', ' ', '. The', '.\nNo'];

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let client: LspTestClient;
before(async () => {
  client = await LspTestClient.start({ model: await tinyNeuralModelDir() });
});
after(async () => client.stop());

const stats = (): Promise<DebugStatsResult> => client.connection.sendRequest(DebugStatsMethod);

it(`${EDITS} random edits: no tensor leak, bounded memory, final tokens equal a fresh full tag`, { timeout: 600_000 }, async () => {
  const next = random(Number(process.env.BIONER_SOAK_SEED ?? 20261126));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const phrase = (): string => Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(WORDS)).join(' ');

  const uri = 'untitled:soak';
  let mirror = TextDocument.create(uri, 'plaintext', 1, 'Aspirin induced asthma in two patients.\nCisplatin causes renal failure.\n');
  client.open(uri, mirror.getText());
  await client.tokens(uri);
  const warm = await stats();
  assert.ok(warm.numTensors > 0, 'the neural model holds its weights as tensors');
  let peakRss = warm.rss;

  /** One random edit of the current mirror text: insert, delete or replace, biased to keep the text bounded. */
  const randomChange = (): TextDocumentContentChangeEvent => {
    const text = mirror.getText();
    const start = Math.floor(next() * (text.length + 1));
    const kind = next();
    const deleting = text.length > MAX_TEXT ? 0.7 : 0.3;
    const length = kind < deleting ? Math.min(text.length - start, 1 + Math.floor(next() * 40)) : kind < deleting + 0.2 ? Math.min(text.length - start, Math.floor(next() * 8)) : 0;
    const insert = kind < deleting ? '' : next() < 0.3 ? pick(WORDS) : ` ${phrase()}`;
    return { range: { start: mirror.positionAt(start), end: mirror.positionAt(start + length) }, text: insert };
  };

  let edits = 0;
  let notifications = 0;
  while (edits < EDITS) {
    const changes: TextDocumentContentChangeEvent[] = [];
    const count = Math.min(EDITS - edits, 1 + Math.floor(next() * MAX_CHANGES_PER_NOTIFICATION));
    for (let i = 0; i < count; i++) {
      const change = randomChange();
      changes.push(change);
      mirror = TextDocument.update(mirror, [change], mirror.version + 1);
    }
    edits += count;
    client.change(uri, changes);
    if (++notifications % NOTIFICATIONS_PER_TOKEN_REQUEST === 0) {
      const tokens = await client.tokens(uri);
      assert.equal(tokens.data.length % 5, 0);
      if (notifications % (NOTIFICATIONS_PER_TOKEN_REQUEST * 5) === 0) peakRss = Math.max(peakRss, (await stats()).rss);
    }
  }

  const finalText = mirror.getText();
  const edited = LspTestClient.decode(finalText, await client.tokens(uri));
  const freshUri = 'untitled:soak-fresh';
  client.open(freshUri, finalText);
  const fresh = LspTestClient.decode(finalText, await client.tokens(freshUri));
  assert.deepEqual(edited, fresh, 'incrementally maintained tokens equal a fresh full tag of the final text');
  assert.ok(fresh.length > 0, 'the final text has entities (the comparison is not vacuous)');

  const end = await stats();
  peakRss = Math.max(peakRss, end.rss);
  assert.equal(end.numTensors, warm.numTensors, `live tensors in the model worker: ${warm.numTensors} after warm-up, ${end.numTensors} after ${EDITS} edits`);
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  console.log(`soak: ${EDITS} edits in ${notifications} notifications; rss ${mb(warm.rss)} MB after warm-up, peak ${mb(peakRss)} MB, end ${mb(end.rss)} MB; ${warm.numTensors} tensors`);
  assert.ok(peakRss - warm.rss < 300 * 1024 * 1024, `RSS grew by ${mb(peakRss - warm.rss)} MB`);
  assert.equal(client.process.exitCode, null);
  assert.doesNotMatch(client.stderr, /unhandled|internal error/i);
});
