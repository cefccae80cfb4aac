// The bad-input corpus through the language server (dist/server.js --stdio, lexicon model): odd documents are tagged
// with tokens at the right places, broken sidecar .ann files never crash the server nor get overwritten by a code
// action (the error names the .ann file and line), and after all of it the server still serves a healthy document.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageType, type Hover } from 'vscode-languageserver-protocol';
import { EditAnnotationCommand } from '../../server/src/lsp/protocol';
import type { AnnotationEdit } from '../../server/src/lsp/codeActions';
import { LspTestClient } from '../lsp/lspClient';
import { badFixtures, lexiconModel, scratchDir, sleep } from './helpers';

const HEALTHY = 'Patient with cystic fibrosis was started on ivacaftor.';

/** The entity texts the lexicon model finds, for comparison with decoded tokens. */
const LEXICON_TERMS = /^(aspirin|fever|cystic|fibrosis|cystic fibrosis|naloxone|ivacaftor)$/i;

async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('language server on bad input', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = scratchDir('lsp-bad');
    client = await LspTestClient.start({ model: lexiconModel });
  });
  after(async () => client.stop());

  async function assertStillServing(): Promise<void> {
    assert.equal(client.process.exitCode, null, `server exited; stderr:\n${client.stderr}`);
    const uri = `untitled:healthy-${Math.random()}`;
    client.open(uri, HEALTHY);
    const decoded = LspTestClient.decode(HEALTHY, await client.tokens(uri));
    assert.deepEqual(decoded.map((t) => t.text), ['cystic fibrosis', 'ivacaftor']);
  }

  it('odd documents get tokens exactly on the entities: empty, blank, NUL, lone surrogates, long token, CRLF, RTL and emoji', async () => {
    const documents: Record<string, { text: string; expected: string[] }> = {
      empty: { text: '', expected: [] },
      blank: { text: readFileSync(join(badFixtures, 'whitespace.txt'), 'utf8'), expected: [] },
      nul: { text: 'Aspirin\u0000 was given.\u0000\u0000 fever', expected: ['Aspirin', 'fever'] },
      surrogates: { text: 'lone \ud800 high and \udc00 low: aspirin \ud83d', expected: ['aspirin'] },
      longToken: { text: `Aspirin ${'y'.repeat(100_000)} fever\nnaloxone`, expected: ['Aspirin', 'fever', 'naloxone'] },
      crlf: { text: readFileSync(join(badFixtures, 'mixed-newlines.txt'), 'utf8'), expected: ['Aspirin', 'fever', 'cystic fibrosis', 'Naloxone', 'Ivacaftor'] },
      rtl: { text: readFileSync(join(badFixtures, 'rtl-emoji.txt'), 'utf8'), expected: ['aspirin', 'fever', 'cystic fibrosis', 'naloxone'] },
    };
    for (const [name, { text, expected }] of Object.entries(documents)) {
      const uri = `untitled:${name}`;
      client.open(uri, text);
      const tokens = await client.tokens(uri);
      // decode() splits on \n only; a CRLF line keeps its \r at the end, outside every token.
      const decoded = LspTestClient.decode(text, tokens);
      assert.deepEqual(decoded.map((t) => t.text), expected, name);
      for (const t of decoded) assert.match(t.text, LEXICON_TERMS);
      if (expected.length) {
        const line = text.split('\n').findIndex((l) => l.includes(expected[0]));
        const character = text.split('\n')[line].indexOf(expected[0]) + 1;
        const hover: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
        assert.ok(hover, `${name}: hover on ${expected[0]}`);
      }
    }
    // Broken CoNLL, binary and non-UTF-8 files opened in the editor (as the client decoded them) are answered too.
    for (const [name, languageId] of [['missing-tag.conll', 'conll'], ['binary.conll', 'conll'], ['latin1.conll', 'conll'], ['nul.txt', 'plaintext']]) {
      const uri = `untitled:${name}`;
      client.open(uri, readFileSync(join(badFixtures, name), 'latin1'), languageId);
      const tokens = await client.tokens(uri);
      assert.equal(tokens.data.length % 5, 0, name);
    }
    // Edits that cut a surrogate pair or insert NULs are analysed as well.
    client.change('untitled:rtl', [{ range: { start: { line: 0, character: 18 }, end: { line: 0, character: 19 } }, text: '\u0000' }]);
    await client.tokens('untitled:rtl');
    await assertStillServing();
  });

  /** Copies a BRAT fixture pair into the scratch folder under `name`, opens its .txt, and returns the paths. */
  function openBratCase(fixture: string, name: string): { uri: string; annPath: string; text: string; annBefore: Buffer } {
    const txtPath = join(dir, `${name}.txt`);
    const annPath = join(dir, `${name}.ann`);
    cpSync(join(badFixtures, fixture, 'doc.txt'), txtPath);
    cpSync(join(badFixtures, fixture, 'doc.ann'), annPath);
    const text = readFileSync(txtPath, 'utf8');
    const uri = pathToFileURL(txtPath).href;
    client.open(uri, text);
    return { uri, annPath, text, annBefore: readFileSync(annPath) };
  }

  async function annotate(uri: string, text: string, start: number, end: number, label: string): Promise<void> {
    const edit: AnnotationEdit = { uri, op: 'add', start, end, text: text.slice(start, end), label };
    await client.connection.sendRequest('workspace/executeCommand', { command: EditAnnotationCommand, arguments: [edit] });
  }

  it('a broken sidecar .ann (past the end, mismatch, malformed): diagnostics still come, an edit is refused naming file:line, the file is kept', async () => {
    const cases: Array<[string, RegExp]> = [
      ['brat-past-end', /past-end\.ann:1: offset 150 is past the end/],
      ['brat-mismatch', /mismatch\.ann:1: text mismatch for T1/],
      ['brat-malformed', /malformed\.ann:2: malformed entity line/],
    ];
    for (const [fixture, error] of cases) {
      const name = fixture.replace('brat-', '');
      const { uri, annPath, text, annBefore } = openBratCase(fixture, name);
      await client.tokens(uri);
      await waitFor(() => client.diagnostics.has(uri), `${name} diagnostics`);
      const before = client.messages.length;
      await annotate(uri, text, 0, 6, 'DISEASE');
      await waitFor(() => client.messages.length > before, `${name} error message`);
      const message = client.messages.slice(before).find((m) => m.type === MessageType.Error);
      assert.ok(message, JSON.stringify(client.messages.slice(before)));
      assert.match(message.message, error);
      assert.doesNotMatch(message.message, /\n\s+at /);
      assert.deepEqual(readFileSync(annPath), annBefore, `${name}.ann is untouched`);
    }
    await assertStillServing();
  });

  it('overlapping and discontinuous .ann lines are kept byte for byte when a code action adds an annotation', async () => {
    for (const fixture of ['brat-overlap', 'brat-discontinuous']) {
      const name = fixture.replace('brat-', '');
      const { uri, annPath, text, annBefore } = openBratCase(fixture, name);
      await client.tokens(uri);
      const start = text.indexOf('.') > 20 ? text.indexOf('renal') : text.indexOf('fibrosis');
      const end = text.indexOf('.', start);
      await annotate(uri, text, start, end, 'DISEASE');
      const after = readFileSync(annPath, 'utf8');
      assert.ok(after.startsWith(annBefore.toString('utf8')), `${name}: every earlier line kept`);
      const added = after.slice(annBefore.length).trim().split('\n')[0].split('\t');
      assert.equal(added[2], text.slice(start, end), `${name}: ${after}`);
    }
    await assertStillServing();
  });

  it('a binary or non-UTF-8 .ann is treated as absent for display and never overwritten by an edit', async () => {
    for (const [name, bytes, error] of [
      ['binary-ann', Buffer.from('T1\tDRUG 0 7\tAspirin\n\u0000\u0001garbage\n', 'latin1'), /binary-ann\.ann:2: contains a NUL byte/],
      ['latin1-ann', Buffer.from('T1\tDRUG 0 7\tAspirin\n#1\tAnnotatorNotes T1\tcaf\xe9\n', 'latin1'), /latin1-ann\.ann:2: is not valid UTF-8/],
    ] as const) {
      const text = 'Aspirin for fever.';
      const txtPath = join(dir, `${name}.txt`);
      writeFileSync(txtPath, text);
      writeFileSync(join(dir, `${name}.ann`), bytes);
      const uri = pathToFileURL(txtPath).href;
      client.open(uri, text);
      assert.deepEqual(LspTestClient.decode(text, await client.tokens(uri)).map((t) => t.text), ['Aspirin', 'fever']);
      const before = client.messages.length;
      await annotate(uri, text, 12, 17, 'DISEASE');
      await waitFor(() => client.messages.length > before, `${name} error message`);
      assert.match(client.messages.slice(before).map((m) => m.message).join('\n'), error);
      assert.deepEqual(readFileSync(join(dir, `${name}.ann`)), bytes, `${name}.ann is untouched`);
    }
    await assertStillServing();
  });
});
