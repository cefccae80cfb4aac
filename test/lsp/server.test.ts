// Drives the real language server (dist/server.js --stdio) with the lexicon fixture model.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Hover, SemanticTokensDelta } from 'vscode-languageserver-protocol';
import { textHash } from '../../server/src/lsp/sidecarSync';
import { LspTestClient, lexiconModel } from './lspClient';

/** The line with which the editor records the text a sidecar describes (sidecarSync.ts). */
const stamp = (text: string) => `# bioner-text: sha256=${textHash(text)}`;

const NOTE = [
  'Patient with cystic fibrosis was started on ivacaftor.',
  'He reported fever after the first dose.',
  '',
  'Plan: continue ivacaftor and review in clinic.',
].join('\n');

describe('language server with the lexicon model', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bioner-lsp-'));
    client = await LspTestClient.start({ model: lexiconModel });
  });
  after(async () => client.stop());

  test('semantic tokens decode back to the entities, with types and the uncertain modifier', async () => {
    const uri = pathToFileURL(join(dir, 'note.txt')).href;
    client.open(uri, NOTE);
    const decoded = LspTestClient.decode(NOTE, await client.tokens(uri));
    assert.deepEqual(decoded, [
      { text: 'cystic fibrosis', type: 'disease', modifiers: [] },
      { text: 'ivacaftor', type: 'drug', modifiers: [] },
      { text: 'fever', type: 'disease', modifiers: ['uncertain'] },
      // Under "Plan:" (the assertion pass).
      { text: 'ivacaftor', type: 'drug', modifiers: ['hypothetical'] },
    ]);
  });

  test('hover shows label, confidence, text and model name', async () => {
    const uri = pathToFileURL(join(dir, 'note.txt')).href;
    const hover: Hover = await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 0, character: 47 }, // inside "ivacaftor"
    });
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /\*\*DRUG\*\*/);
    assert.match(value, /93(\.0)?%/);
    assert.match(value, /`ivacaftor`/);
    assert.match(value, /test-lexicon/);
    assert.deepEqual(hover.range, { start: { line: 0, character: 44 }, end: { line: 0, character: 53 } });
    const none = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
    assert.equal(none, null);
  });

  test('an incremental edit that adds a drug name yields a new token (full and delta)', async () => {
    const uri = pathToFileURL(join(dir, 'edit.txt')).href;
    let text = 'The patient was given nothing.';
    client.open(uri, text);
    const first = await client.tokens(uri);
    assert.deepEqual(LspTestClient.decode(text, first), []);
    // replace "nothing" with "aspirin"
    client.change(uri, [{ range: { start: { line: 0, character: 22 }, end: { line: 0, character: 29 } }, text: 'aspirin' }]);
    text = 'The patient was given aspirin.';
    const delta: SemanticTokensDelta = await client.connection.sendRequest('textDocument/semanticTokens/full/delta', {
      textDocument: { uri },
      previousResultId: first.resultId,
    });
    assert.equal(delta.edits.length, 1);
    assert.deepEqual(delta.edits[0].data, [0, 22, 7, 1, 0]); // line 0, char 22, length 7, type drug
    assert.deepEqual(LspTestClient.decode(text, await client.tokens(uri)), [{ text: 'aspirin', type: 'drug', modifiers: [] }]);
  });

  test('an abbreviation takes its long form\'s label across the document, also after an edit elsewhere', async () => {
    const uri = pathToFileURL(join(dir, 'abbreviation.txt')).href;
    let text = ['He has cystic fibrosis.', '', 'CYF was stable on review.'].join('\n');
    client.open(uri, text);
    assert.deepEqual(LspTestClient.decode(text, await client.tokens(uri)), [{ text: 'cystic fibrosis', type: 'disease', modifiers: [] }]);
    // Defining the abbreviation on line 0 makes the untouched "CYF" of line 2 an entity: the pass is document-wide.
    // (Not "CF": the clinical shorthand pass tags that one on its own.)
    client.change(uri, [{ range: { start: { line: 0, character: 22 }, end: { line: 0, character: 22 } }, text: ' (CYF)' }]);
    text = ['He has cystic fibrosis (CYF).', '', 'CYF was stable on review.'].join('\n');
    assert.deepEqual(LspTestClient.decode(text, await client.tokens(uri)), [
      { text: 'cystic fibrosis', type: 'disease', modifiers: [] },
      { text: 'CYF', type: 'disease', modifiers: [] },
      { text: 'CYF', type: 'disease', modifiers: [] },
    ]);
    const hover: Hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 1 } });
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /\*\*DISEASE\*\* — 97(\.0)?% confident/);
    assert.match(value, /Abbreviation of `cystic fibrosis`/);
  });

  test('a refresh is requested only when the client did not fetch the new entities itself', async () => {
    const uri = pathToFileURL(join(dir, 'refresh.txt')).href;
    client.open(uri, 'Nothing yet.');
    await client.tokens(uri);
    const before = client.refreshCount;
    // the client asks right after its edit: it has the new tokens, no refresh
    client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 7 } }, text: 'Aspirin' }]);
    assert.equal(LspTestClient.decode('Aspirin yet.', await client.tokens(uri)).length, 1);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(client.refreshCount, before);
    // a client that does not ask after an edit is told to refresh once the entities changed
    client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 7 } }, text: 'Nothing' }]);
    await waitFor(() => client.refreshCount > before);
  });

  test('range tokens cover only the requested lines', async () => {
    const uri = pathToFileURL(join(dir, 'note.txt')).href;
    const range = await client.connection.sendRequest('textDocument/semanticTokens/range', {
      textDocument: { uri },
      range: { start: { line: 3, character: 0 }, end: { line: 4, character: 0 } },
    });
    const lines = NOTE.split('\n');
    const decoded = LspTestClient.decode(NOTE, range as never);
    assert.deepEqual(decoded.map((t) => t.text), ['ivacaftor']);
    assert.equal(lines[3].includes('ivacaftor'), true);
  });

  test('markdown fenced code blocks are not tagged', async () => {
    const uri = pathToFileURL(join(dir, 'readme.md')).href;
    const text = 'Give aspirin.\n\n```\naspirin = 1\n```\n\nThen naloxone.';
    client.open(uri, text, 'markdown');
    const decoded = LspTestClient.decode(text, await client.tokens(uri));
    assert.deepEqual(decoded.map((t) => t.text), ['aspirin', 'naloxone']);
  });

  test('document symbols list the entities with label and confidence', async () => {
    const uri = pathToFileURL(join(dir, 'note.txt')).href;
    const symbols: Array<{ name: string; detail: string }> = await client.connection.sendRequest('textDocument/documentSymbol', {
      textDocument: { uri },
    });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail]),
      [['cystic fibrosis', 'DISEASE 97%'], ['ivacaftor', 'DRUG 93%'], ['fever', 'DISEASE 40%'], ['ivacaftor', 'DRUG 93% · hypothetical']],
    );
  });

  test('uncertain entities are Information diagnostics; .ann disagreements are Warnings', async () => {
    const path = join(dir, 'visit.txt');
    const text = 'Aspirin for fever.';
    writeFileSync(path, text);
    writeFileSync(join(dir, 'visit.ann'), 'T1\tDISEASE 0 7\tAspirin\n');
    const uri = pathToFileURL(path).href;
    client.open(uri, text);
    await client.tokens(uri);
    await waitFor(() => (client.diagnostics.get(uri)?.length ?? 0) >= 2);
    const diagnostics = client.diagnostics.get(uri)!;
    const summary = diagnostics.map((d) => [d.code, d.severity]).sort();
    assert.deepEqual(summary, [['label-differs', 2], ['not-annotated', 2], ['uncertain', 3]]);
  });

  test('a code action writes the .ann atomically and keeps the existing lines', async () => {
    const path = join(dir, 'case.txt');
    const text = 'Naloxone reversed the overdose; aspirin was stopped.';
    writeFileSync(path, text);
    const existing = ['T1\tDRUG 0 8\tNaloxone', 'A1\tNegated T1', 'R1\tCause Arg1:T1 Arg2:T1', '#1\tAnnotatorNotes T1\tchecked', 'N1\tReference T1 Wikidata:Q407119\tNaloxone'];
    writeFileSync(join(dir, 'case.ann'), existing.join('\n') + '\n');
    const uri = pathToFileURL(path).href;
    client.open(uri, text);
    await client.tokens(uri);
    const position = { line: 0, character: 34 }; // inside "aspirin"
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: position, end: position },
      context: { diagnostics: [] },
    });
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Annotate as DRUG'), titles.join(', '));
    assert.ok(titles.includes('Change label to DISEASE'), titles.join(', '));
    const annotate = actions.find((a) => a.title === 'Annotate as DRUG')!;
    await client.connection.sendRequest('workspace/executeCommand', annotate.command);
    const lines = readFileSync(join(dir, 'case.ann'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines, [...existing, 'T2\tDRUG 32 39\taspirin', stamp(text)]);

    // on the user's own annotation: relabel keeps every other line
    const onUser: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 33 }, end: { line: 0, character: 33 } },
      context: { diagnostics: [] },
    });
    const relabel = onUser.find((a) => a.title === 'Change label to DISEASE')!;
    assert.ok(relabel, onUser.map((a) => a.title).join(', '));
    await client.connection.sendRequest('workspace/executeCommand', relabel.command);
    const relabelled = readFileSync(join(dir, 'case.ann'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(relabelled, [...existing, 'T2\tDISEASE 32 39\taspirin', stamp(text)]);

    // Not an entity removes the user's annotation, nothing else, and records the span as reviewed
    const again: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 33 }, end: { line: 0, character: 33 } },
      context: { diagnostics: [] },
    });
    assert.equal(again.find((a) => a.title === 'Change label to DRUG')?.isPreferred, true, 'the model label is the preferred fix');
    await client.connection.sendRequest('workspace/executeCommand', again.find((a) => a.title === 'Not an entity')!.command);
    assert.deepEqual(readFileSync(join(dir, 'case.ann'), 'utf8').trimEnd().split('\n'), [...existing, stamp(text), '# bioner-not-entity: 32 39\taspirin']);
  });

  test('a selection can be annotated with any label', async () => {
    const path = join(dir, 'select.txt');
    const text = 'Started metformin today.';
    writeFileSync(path, text);
    const uri = pathToFileURL(path).href;
    client.open(uri, text);
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 7 }, end: { line: 0, character: 18 } }, // " metformin " trimmed
      context: { diagnostics: [] },
    });
    assert.deepEqual(actions.map((a) => a.title), ['Annotate as DISEASE', 'Annotate as DRUG']);
    await client.connection.sendRequest('workspace/executeCommand', actions[1].command);
    assert.equal(readFileSync(join(dir, 'select.ann'), 'utf8'), `# bioner-review: partial\n${stamp(text)}\nT1\tDRUG 8 17\tmetformin\n`);
  });

  test('a partial review: "Not an entity" warns only where the user looked, until the document is marked fully annotated', async () => {
    const text = 'Aspirin and naloxone were given; ivacaftor later.';
    const notePath = join(dir, 'review.note');
    writeFileSync(notePath, text);
    writeFileSync(join(dir, 'review.txt'), text); // another document of the same stem, with no annotations
    const uri = pathToFileURL(notePath).href;
    const txtUri = pathToFileURL(join(dir, 'review.txt')).href;
    client.open(uri, text);
    client.open(txtUri, text);
    await client.tokens(uri);
    await client.tokens(txtUri);
    const actionsAt = async (character: number): Promise<CodeAction[]> =>
      client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character }, end: { line: 0, character } },
        context: { diagnostics: [] },
      });
    const notEntity = (await actionsAt(14)).find((a) => a.title === 'Not an entity'); // on "naloxone"
    assert.ok(notEntity, 'offered on a model entity');
    await client.connection.sendRequest('workspace/executeCommand', notEntity.command);
    assert.equal(readFileSync(join(dir, 'review.note.ann'), 'utf8'), `# bioner-review: partial\n${stamp(text)}\n# bioner-not-entity: 12 20\tnaloxone\n`);
    const warnings = () => (client.diagnostics.get(uri) ?? []).filter((d) => d.severity === 2).map((d) => d.message);
    await waitFor(() => warnings().length > 0);
    assert.deepEqual(warnings(), ['The model finds DRUG "naloxone", which you marked as not an entity in review.note.ann']);
    assert.ok((await actionsAt(2)).some((a) => a.title === 'Not an entity'), 'still offered for the other entities');
    assert.deepEqual((client.diagnostics.get(txtUri) ?? []).filter((d) => d.severity === 2), [], 'review.txt does not claim the sidecar');
    await client.connection.sendRequest('workspace/executeCommand', { title: '', command: 'bioner.lsp.markReviewed', arguments: [{ uri, complete: true }] });
    assert.ok(readFileSync(join(dir, 'review.note.ann'), 'utf8').startsWith('# bioner-review: complete\n'));
    await waitFor(() => warnings().length === 3);
    assert.deepEqual(warnings().map((w) => w.replace(/, which.*/, '')).sort(), [
      'The model finds DRUG "Aspirin"',
      'The model finds DRUG "ivacaftor"',
      'The model finds DRUG "naloxone"',
    ]);
  });

  test('status notifications carry the model name and entity count', async () => {
    const uri = pathToFileURL(join(dir, 'note.txt')).href;
    await waitFor(() => client.statuses.some((s) => s.uri === uri && !s.busy));
    const last = client.statuses.filter((s) => s.uri === uri && !s.busy).at(-1)!;
    assert.equal(last.modelName, 'test-lexicon');
    assert.equal(last.entityCount, 4);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the server');
    await new Promise((r) => setTimeout(r, 10));
  }
}
