// The language server answers a request from the version of the text it was asked about, while the user types
// (issue 18, item 2): an edit arriving while a hover, a code action or a range of semantic tokens waits for the model
// gives nothing (or ContentModified), never a range of another version's text; a code action never offers, and the
// command never writes, a span that is not the entity. And the edit command's argument is validated (item 7).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LSPErrorCodes, MessageType, type CodeAction, type Hover, type SemanticTokens } from 'vscode-languageserver-protocol';
import { parseAnn } from '../../server/src/formats/brat';
import { EditAnnotationCommand } from '../../server/src/lsp/protocol';
import { LspTestClient } from '../lsp/lspClient';
import { lexiconModel, scratchDir, sleep } from './helpers';

/** A new sentence each round, so that it is not in the server's sentence cache: the request waits for the model. */
let round = 0;
let TEXT = '';
let EDITED = '';
/** Inserted before the entity: it moves the entities to another line, so a stale position points at other text. */
const EDIT = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'Note:\nseven\n' };
const ROUNDS = 12;

/** The text a range covers in `text` (lines split on \n), or undefined when the range is not inside it. */
function covered(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): string | undefined {
  const lines = text.split('\n');
  if (range.start.line !== range.end.line || range.start.line >= lines.length) return undefined;
  const line = lines[range.start.line];
  return range.end.character <= line.length ? line.slice(range.start.character, range.end.character) : undefined;
}

describe('the language server while the user types', () => {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = scratchDir('lsp-stale');
    client = await LspTestClient.start({ model: lexiconModel });
  });
  after(async () => client.stop());

  /** Opens a fresh document (not tagged yet: requests tag their own range, so they wait for the model). */
  function open(name: string): string {
    TEXT = `Patient was given aspirin for fever in case ${++round}.\n`;
    EDITED = EDIT.text + TEXT;
    const path = join(dir, `${name}.txt`);
    writeFileSync(path, TEXT);
    const uri = pathToFileURL(path).href;
    client.open(uri, TEXT);
    return uri;
  }

  it('a hover answered across an edit names a range of the text it describes', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const uri = open(`hover-${i}`);
      const hover = client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 20 } });
      client.change(uri, [EDIT]);
      const result = await hover.catch((error: { code?: number }) => {
        assert.equal(error.code, LSPErrorCodes.ContentModified);
        return null;
      });
      if (!result?.range) continue;
      const shown = /`([^`]*)`/.exec((result.contents as { value: string }).value)?.[1];
      assert.ok(
        covered(TEXT, result.range) === shown || covered(EDITED, result.range) === shown,
        `round ${i}: the hover shows "${shown}" at ${JSON.stringify(result.range)}, which is "${covered(TEXT, result.range)}" before the edit and "${covered(EDITED, result.range)}" after`,
      );
    }
    // Once the edit is in, a hover on the moved entity is answered at its new place.
    const uri = open('hover-after');
    client.change(uri, [EDIT]);
    await client.tokens(uri);
    const settled = await client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 20 } });
    assert.equal(covered(EDITED, settled!.range!), 'aspirin');
  });

  it('a code action asked for across an edit never offers, and its command never writes, a span that is not the entity', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const uri = open(`action-${i}`);
      const range = { start: { line: 0, character: 20 }, end: { line: 0, character: 20 } };
      const actions = client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } });
      client.change(uri, [EDIT]);
      const offered = await actions.catch((error: { code?: number }) => {
        assert.equal(error.code, LSPErrorCodes.ContentModified);
        return [];
      });
      for (const action of offered) {
        const edit = action.command!.arguments![0] as { text: string };
        assert.equal(edit.text, 'aspirin', `round ${i}: "${action.title}" is offered for "${edit.text}"`);
      }
      const annotate = offered.find((a) => a.title === 'Annotate as DRUG');
      if (annotate) await client.connection.sendRequest('workspace/executeCommand', annotate.command);
      const annPath = join(dir, `action-${i}.ann`);
      if (existsSync(annPath)) {
        const entities = parseAnn(readFileSync(annPath, 'utf8'), EDITED, annPath).entities; // throws on a mismatched line
        for (const e of entities) assert.equal(EDITED.slice(e.start, e.end), 'aspirin');
      }
    }
  });

  it('range tokens answered across an edit lie on the entities of one version', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const uri = open(`range-${i}`);
      const tokens = client.connection.sendRequest<SemanticTokens>('textDocument/semanticTokens/range', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: TEXT.length } },
      });
      client.change(uri, [EDIT]);
      const result = await tokens.catch((error: { code?: number }) => {
        assert.equal(error.code, LSPErrorCodes.ContentModified);
        return undefined;
      });
      if (!result) continue;
      const words = (text: string) => LspTestClient.decode(text, result).map((t) => t.text);
      const ok = (text: string) => words(text).every((w) => /^(aspirin|fever)$/.test(w));
      assert.ok(ok(TEXT) || ok(EDITED), `round ${i}: tokens on ${JSON.stringify(words(TEXT))} / ${JSON.stringify(words(EDITED))}`);
    }
  });

  it('an edit command with a fractional offset is refused with a message, the .ann untouched, and later edits work', async () => {
    const uri = open('fraction');
    await client.tokens(uri);
    const annPath = join(dir, 'fraction.ann');
    writeFileSync(annPath, 'T1\tDRUG 18 25\taspirin\n');
    const before = client.messages.length;
    const bad = { uri, op: 'add', start: 1.5, end: 4, text: TEXT.slice(1.5, 4), label: 'DRUG' };
    await client.connection.sendRequest('workspace/executeCommand', { command: EditAnnotationCommand, arguments: [bad] });
    for (let i = 0; i < 100 && client.messages.length === before; i++) await sleep(20);
    const message = client.messages.slice(before).find((m) => m.type === MessageType.Error);
    assert.match(message?.message ?? '', /whole offsets/);
    assert.equal(readFileSync(annPath, 'utf8'), 'T1\tDRUG 18 25\taspirin\n');
    const good = { uri, op: 'add', start: 30, end: 35, text: 'fever', label: 'DISEASE' };
    await client.connection.sendRequest('workspace/executeCommand', { command: EditAnnotationCommand, arguments: [good] });
    assert.match(readFileSync(annPath, 'utf8'), /^T2\tDISEASE 30 35\tfever$/m);
  });
});
