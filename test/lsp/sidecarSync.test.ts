// A sidecar follows the edits of its document (moved on save, touched spans kept as "# bioner-dropped:" lines, every
// other line byte for byte) and records the text it describes; one whose text changed outside the editor is flagged
// and never applied or rewritten.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { mapSpan, minimalEdit, recordedTextHash, shiftSidecar, textHash, withTextHash } from '../../server/src/lsp/sidecarSync';
import { LspTestClient, lexiconModel } from './lspClient';

const stamp = (text: string) => `# bioner-text: sha256=${textHash(text)}`;

test('mapSpan: an edit before moves a span, after leaves it, over or inside touches it', () => {
  const span = { start: 10, end: 19 };
  assert.deepEqual(mapSpan(span, [{ start: 0, end: 0, inserted: 4 }]), { start: 14, end: 23 });
  assert.deepEqual(mapSpan(span, [{ start: 10, end: 10, inserted: 1 }]), { start: 11, end: 20 }, 'typed right before');
  assert.deepEqual(mapSpan(span, [{ start: 19, end: 19, inserted: 1 }]), span, 'typed right after');
  assert.deepEqual(mapSpan(span, [{ start: 2, end: 6, inserted: 0 }, { start: 30, end: 31, inserted: 5 }]), { start: 6, end: 15 });
  assert.equal(mapSpan(span, [{ start: 12, end: 12, inserted: 1 }]), undefined);
  assert.equal(mapSpan(span, [{ start: 5, end: 11, inserted: 0 }]), undefined);
  assert.deepEqual(minimalEdit('abcXYZdef', 'abcQdef'), { start: 3, end: 6, inserted: 1 });
  assert.equal(minimalEdit('same', 'same'), undefined);
});

test('shiftSidecar moves T and not-entity lines (code points), keeps every other line, drops touched ones visibly', () => {
  const before = '🙂 aspirin for fever; naloxone given.';
  // "for fever" -> "for high fever"; "naloxone" replaced by "nalxone" (a touched span).
  const after = '🙂 aspirin for high fever; nalxone given.';
  const edits = [
    { start: 15, end: 15, inserted: 5 }, // "high " before "fever" (UTF-16: the emoji is two units)
    { start: 30, end: 32, inserted: 1 }, // "ox" -> "x" inside "naloxone" (after the first edit)
  ];
  const content = [
    '# bioner-review: partial\r\n',
    'T1\tDRUG 2 9\taspirin\r\n',
    'A1\tNegated T2\r\n',
    'T2\tDISEASE 14 19\tfever\r\n',
    '#1\tAnnotatorNotes T2\tseen\r\n',
    'T3\tDRUG 21 29\tnaloxone\r\n',
    'T4\tDRUG 0 4\tstale line a person left\r\n',
    '# bioner-not-entity: 30 35\tgiven\r\n',
  ].join('');
  const { content: shifted, dropped } = shiftSidecar(content, before, after, edits);
  assert.equal(
    shifted,
    [
      '# bioner-review: partial\r\n',
      `${stamp(after)}\r\n`,
      'T1\tDRUG 2 9\taspirin\r\n',
      'A1\tNegated T2\r\n',
      'T2\tDISEASE 19 24\tfever\r\n',
      '#1\tAnnotatorNotes T2\tseen\r\n',
      '# bioner-dropped: T3\tDRUG 21 29\tnaloxone\r\n',
      'T4\tDRUG 0 4\tstale line a person left\r\n',
      '# bioner-not-entity: 34 39\tgiven\r\n',
    ].join(''),
  );
  assert.deepEqual(dropped, ['T3\tDRUG 21 29\tnaloxone']);
  for (const line of shifted.split('\r\n').filter((l) => /^T[12]\t/.test(l))) {
    const [, offsets, mention] = line.split('\t');
    const [s, e] = offsets.split(' ').slice(1).map(Number);
    assert.equal([...after].slice(s, e).join(''), mention);
  }
});

test('typed and undone: a span in the unchanged text stays although the log touched it', () => {
  const text = 'Started metformin today.';
  const edits = [
    { start: 8, end: 17, inserted: 0 },
    { start: 8, end: 8, inserted: 9 },
  ];
  const { content, dropped } = shiftSidecar('T1\tDRUG 8 17\tmetformin', text, text, edits);
  assert.equal(content, `T1\tDRUG 8 17\tmetformin\n${stamp(text)}\n`, 'added at the end of a file without a review line');
  assert.deepEqual(dropped, []);
});

test('the hash line is replaced in place, once', () => {
  const once = withTextHash('# bioner-review: partial\nT1\tDRUG 0 1\ta\n', 'a');
  assert.equal(once, `# bioner-review: partial\n${stamp('a')}\nT1\tDRUG 0 1\ta\n`);
  assert.equal(withTextHash(once, 'b'), `# bioner-review: partial\n${stamp('b')}\nT1\tDRUG 0 1\ta\n`);
  assert.equal(recordedTextHash(withTextHash(once, 'b')), textHash('b'));
  assert.equal(withTextHash('', 'a'), `${stamp('a')}\n`);
});

describe('the language server keeps sidecars in step with the editor', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bioner-sync-'));
    client = await LspTestClient.start({ model: lexiconModel });
  });
  after(async () => client.stop());

  const save = (uri: string) => client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
  const waitFor = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  test('annotations move with edits on save; a touched one is kept as dropped; the hash follows', async () => {
    const path = join(dir, 'visit.note');
    const text = 'Aspirin for fever; naloxone given.';
    writeFileSync(path, text);
    const annPath = join(dir, 'visit.note.ann');
    writeFileSync(annPath, `# bioner-review: partial\n${stamp(text)}\nT1\tDRUG 0 7\tAspirin\nT2\tDRUG 19 27\tnaloxone\n#1\tAnnotatorNotes T1\tok\n`);
    const uri = pathToFileURL(path).href;
    client.open(uri, text);
    await client.tokens(uri);
    // Type "Low-dose " at the start, and change "naloxone" to "naloxon".
    client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'Low-dose ' }]);
    client.change(uri, [{ range: { start: { line: 0, character: 34 }, end: { line: 0, character: 36 } }, text: 'n' }]);
    const edited = 'Low-dose Aspirin for fever; naloxon given.';
    assert.equal(readFileSync(annPath, 'utf8').includes('T1\tDRUG 0 7'), true, 'nothing written before the save');
    writeFileSync(path, edited);
    await save(uri);
    await waitFor(() => readFileSync(annPath, 'utf8').includes(stamp(edited)), 'the sidecar to be written');
    assert.equal(
      readFileSync(annPath, 'utf8'),
      `# bioner-review: partial\n${stamp(edited)}\nT1\tDRUG 9 16\tAspirin\n# bioner-dropped: T2\tDRUG 19 27\tnaloxone\n#1\tAnnotatorNotes T1\tok\n`,
    );
    await waitFor(() => client.messages.some((m) => m.message.includes('"naloxone" was edited')), 'the dropped line to be told');

    // An annotation made on unsaved text first moves the sidecar to that text, then stamps it.
    client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } }, text: '' }]);
    const unsaved = 'Aspirin for fever; naloxon given.';
    await client.tokens(uri);
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 13 }, end: { line: 0, character: 13 } },
      context: { diagnostics: [] },
    });
    const annotate = actions.find((a) => a.title === 'Annotate as DISEASE');
    assert.ok(annotate, actions.map((a) => a.title).join(', '));
    await client.connection.sendRequest('workspace/executeCommand', annotate.command);
    assert.equal(
      readFileSync(annPath, 'utf8'),
      `# bioner-review: partial\n${stamp(unsaved)}\nT1\tDRUG 0 7\tAspirin\n# bioner-dropped: T2\tDRUG 19 27\tnaloxone\n#1\tAnnotatorNotes T1\tok\nT3\tDISEASE 12 17\tfever\n`,
    );
  });

  test('a sidecar whose text changed outside the editor is flagged, not applied, and never rewritten', async () => {
    const path = join(dir, 'outside.txt');
    const original = 'Aspirin for fever.';
    const changed = 'Yesterday: aspirin for fever.';
    writeFileSync(path, changed); // edited in another program after the sidecar was written
    const annPath = join(dir, 'outside.ann');
    const content = `# bioner-review: partial\n${stamp(original)}\nT1\tDRUG 0 7\tAspirin\nT2\tDISEASE 12 17\tfever\n`;
    writeFileSync(annPath, content);
    const uri = pathToFileURL(path).href;
    client.open(uri, changed);
    await client.tokens(uri);
    await waitFor(() => (client.diagnostics.get(uri) ?? []).some((d) => d.code === 'stale-sidecar'), 'the stale warning');
    const diagnostics = client.diagnostics.get(uri)!;
    assert.match(diagnostics.find((d) => d.code === 'stale-sidecar')!.message, /^outside\.ann was written against another version of outside\.txt/);
    // None of its T lines is applied (no "not found" or "label differs" warnings).
    assert.deepEqual(diagnostics.filter((d) => d.severity === 2 && d.code !== 'stale-sidecar'), []);
    assert.ok(client.messages.some((m) => m.message.includes('outside.ann was written against another version')));
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 13 }, end: { line: 0, character: 13 } },
      context: { diagnostics: [] },
    });
    const annotate = actions.find((a) => a.title.startsWith('Annotate as'))!;
    await client.connection.sendRequest('workspace/executeCommand', annotate.command);
    client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]);
    writeFileSync(path, 'x' + changed);
    await save(uri);
    await client.tokens(uri);
    assert.equal(readFileSync(annPath, 'utf8'), content, 'a stale sidecar is left as it is');
    assert.ok(client.messages.some((m) => m.type === 1 && m.message.includes('outside.ann was written against another version')), 'the edit was refused');
  });
});
