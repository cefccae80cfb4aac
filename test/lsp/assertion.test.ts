// Clinical context in the editor: semantic-token modifiers, the hover line naming the trigger, the setting that leaves
// negated entities out of the Problems panel, and the outline (Show Entities). Drives the real language server
// (dist/server.js --stdio) with the lexicon fixture model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hover } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { entitySymbols } from '../../server/src/lsp/documentSymbols';
import { assertionLines } from '../../server/src/lsp/hover';
import { parseSettings } from '../../server/src/lsp/settings';
import type { Assertion, EntityPrediction } from '../../server/src/types';
import { LspTestClient, lexiconModel } from './lspClient';

const TEXT = ['Denies fever.', 'Mother had cystic fibrosis.', 'History of fever.', 'Return if fever recurs.', 'Aspirin for fever.'].join('\n');
const URI = 'untitled:context';
let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start({ model: lexiconModel, diagnostics: 'all' });
  client.open(URI, TEXT);
});
after(async () => client.stop());

async function until<T>(get: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await get();
    if (ok(value) || i > 200) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('semantic tokens carry negated, family, historical and hypothetical modifiers', async () => {
  const decoded = LspTestClient.decode(TEXT, await client.tokens(URI)).map((t) => [t.text, t.modifiers.filter((m) => m !== 'uncertain').join(' ')]);
  assert.deepEqual(decoded, [
    ['fever', 'negated'],
    ['cystic fibrosis', 'family'],
    ['fever', 'historical'],
    ['fever', 'hypothetical'],
    ['Aspirin', ''],
    ['fever', ''],
  ]);
});

test('a .note file: its sections set the context ("Past medical history:", "Family history:", "Plan:")', async () => {
  const note = ['Past medical history:', 'Cystic fibrosis.', 'Family history:', 'Cystic fibrosis.', 'Plan:', 'Aspirin.', 'ED COURSE: fever.'].join('\n');
  const uri = 'untitled:context.note';
  client.open(uri, note, 'clinical-note');
  const decoded = LspTestClient.decode(note, await client.tokens(uri)).map((t) => [t.text, t.modifiers.filter((m) => m !== 'uncertain').join(' ')]);
  assert.deepEqual(decoded, [
    ['Cystic fibrosis', 'historical'],
    ['Cystic fibrosis', 'family'],
    ['Aspirin', 'hypothetical'],
    ['fever', ''],
  ]);
});

test('the hover names the trigger: "negated by *Denies*"', async () => {
  const hover: Hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 0, character: 9 } });
  assert.match((hover.contents as { value: string }).value, /^negated by \*Denies\*$/m);
  const family: Hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 1, character: 14 } });
  assert.match((family.contents as { value: string }).value, /^someone else's \(not the patient's\) by \*Mother\*$/m);
});

test('bioner.negatedInProblems: false leaves negated entities out of the Problems panel', async () => {
  const fevers = (d: { message: string }[]) => d.filter((x) => /fever/.test(x.message)).length;
  const before = await until(async () => client.diagnostics.get(URI) ?? [], (d) => fevers(d) === 4);
  assert.equal(fevers(before), 4);
  const settings = { model: lexiconModel, diagnostics: 'all', negatedInProblems: false };
  client.settings = settings;
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { bioner: settings } });
  const after = await until(async () => client.diagnostics.get(URI) ?? [], (d) => fevers(d) === 3);
  assert.equal(fevers(after), 3);
  assert.equal(parseSettings({ negatedInProblems: 'no' }).negatedInProblems, true, 'a wrong type falls back to the default');
});

test('the outline (Show Entities) marks the context in the detail and strikes negated entities through', () => {
  const a = (negation: Assertion['negation'], temporality: Assertion['temporality']): Assertion => ({ negation, temporality, experiencer: 'patient', triggers: {} });
  const document = TextDocument.create('file:///x.txt', 'plaintext', 1, 'Denies fever. History of gout.');
  const entities: EntityPrediction[] = [
    { start: 7, end: 12, text: 'fever', label: 'DISEASE', confidence: 0.9, assertion: a('negated', 'recent') },
    { start: 25, end: 29, text: 'gout', label: 'DISEASE', confidence: 0.8, assertion: a('affirmed', 'historical') },
  ];
  const symbols = entitySymbols(document, entities);
  assert.deepEqual(symbols.map((s) => [s.detail, s.tags]), [['DISEASE 90% · negated', [1]], ['DISEASE 80% · historical', undefined]]);
  assert.deepEqual(assertionLines(a('affirmed', 'recent')), []);
  assert.deepEqual(
    assertionLines({ ...a('possible', 'historical'), triggers: { temporality: { text: 'PAST MEDICAL HISTORY', start: 0, end: 20, source: 'section' } } }),
    ['possible', 'historical by section *PAST MEDICAL HISTORY*'],
  );
});
