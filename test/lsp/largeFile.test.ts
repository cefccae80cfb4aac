// A 10 MB file: tagged by visible range only (the full request is refused), with one window message, while other
// requests keep being answered promptly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from 'vscode-languageserver-protocol';
import { DebugStatsMethod, type DebugStatsResult } from '../../server/src/lsp/protocol';
import { LspTestClient, lexiconModel } from './lspClient';

const PARAGRAPH = 'The patient with cystic fibrosis received ivacaftor and aspirin.\nNo fever was reported after the dose.\n\n';
const BIG = PARAGRAPH.repeat(Math.ceil((10 * 1024 * 1024) / PARAGRAPH.length));
const BIG_URI = 'untitled:big';
const SMALL_URI = 'untitled:small';
let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start({ model: lexiconModel });
  client.open(SMALL_URI, 'Aspirin helps.');
  await client.tokens(SMALL_URI);
});
after(async () => client.stop());

test('other requests are answered while a 10 MB file is opened and edited, which is not tagged as a whole', async () => {
  const sentencesBefore = (await client.connection.sendRequest<DebugStatsResult>(DebugStatsMethod)).sentencesTagged;
  client.open(BIG_URI, BIG);
  const started = Date.now();
  const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: SMALL_URI }, position: { line: 0, character: 2 } });
  assert.ok(hover, 'hover answered');
  // A hang guard, not a speed target (bench/lsp.ts measures): tagging the whole file would take far longer.
  assert.ok(Date.now() - started < 10_000, `hover took ${Date.now() - started} ms`);
  client.change(BIG_URI, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'Naloxone given. ' }]);
  await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: SMALL_URI }, position: { line: 0, character: 2 } });
  await new Promise((r) => setTimeout(r, 200)); // past the debounce: the edit's analysis has run
  const stats = await client.connection.sendRequest<DebugStatsResult>(DebugStatsMethod);
  assert.equal(stats.sentencesTagged, sentencesBefore, 'nothing of the 10 MB file was tagged without a range request');
});

test('the full request is refused and range requests return the tokens of that range', async () => {
  await assert.rejects(client.tokens(BIG_URI), /maxFileSize/);
  const lines = ('Naloxone given. ' + BIG).split('\n');
  const line = 30_001; // "No fever was reported..." of some paragraph far down the file
  const range = await client.connection.sendRequest('textDocument/semanticTokens/range', {
    textDocument: { uri: BIG_URI },
    range: { start: { line: 30_000, character: 0 }, end: { line: line + 1, character: 0 } },
  });
  const decoded = LspTestClient.decode(lines.join('\n'), range as never);
  assert.deepEqual(decoded.map((t) => [t.text, t.type]).slice(0, 3), [['cystic fibrosis', 'disease'], ['ivacaftor', 'drug'], ['aspirin', 'drug']]);
  assert.equal(decoded.length, 4);
  const first = await client.connection.sendRequest('textDocument/semanticTokens/range', {
    textDocument: { uri: BIG_URI },
    range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } },
  });
  assert.deepEqual(LspTestClient.decode(lines.join('\n'), first as never)[0], { text: 'Naloxone', type: 'drug', modifiers: [] });
  const feverLine = lines.findIndex((l, i) => i > 50_000 && l.startsWith('No fever'));
  const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: BIG_URI }, position: { line: feverLine, character: 4 } });
  assert.match((hover as { contents: { value: string } }).contents.value, /\*\*DISEASE\*\*.*40%/);
  const last = client.statuses.filter((st) => st.uri === BIG_URI).at(-1);
  assert.equal(last?.busy, false, 'range tagging leaves no busy spinner behind');
  // ~200,000 sentences in the file; the two ranges and the hover cost a handful
  assert.ok((await client.connection.sendRequest<DebugStatsResult>(DebugStatsMethod)).sentencesTagged < 50);
  const told = client.messages.filter((m) => m.type === MessageType.Info && /maxFileSize/.test(m.message));
  assert.equal(told.length, 1);
});

test('a 10 MB single line (no newline at all): other documents are answered and a range request is tagged', async () => {
  const sentence = 'The patient with cystic fibrosis received ivacaftor. ';
  const line = sentence.repeat(Math.ceil((10 * 1024 * 1024) / sentence.length));
  const uri = 'untitled:one-line';
  client.open(uri, line);
  const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: SMALL_URI }, position: { line: 0, character: 2 } });
  assert.ok(hover, 'hover on another document answered');
  await assert.rejects(client.tokens(uri), /maxFileSize/);
  // A window in the middle of the line: its sentences only, with exact offsets.
  const start = sentence.length * 100_000;
  const range = await client.connection.sendRequest('textDocument/semanticTokens/range', {
    textDocument: { uri },
    range: { start: { line: 0, character: start }, end: { line: 0, character: start + sentence.length } },
  });
  const decoded = LspTestClient.decode(line, range as never);
  assert.deepEqual(decoded.map((t) => [t.text, t.type]), [['cystic fibrosis', 'disease'], ['ivacaftor', 'drug']]);
  assert.equal(client.process.exitCode, null, 'the server is alive');
});
