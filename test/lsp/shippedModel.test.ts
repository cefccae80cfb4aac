// The language server with no bioner.model setting loads the shipped neural model (models/default): semantic tokens
// of the example sentence, and a hover with label, confidence, runner-up and model name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hover } from 'vscode-languageserver-protocol';
import { LspTestClient } from './lspClient';

const NOTE = 'Patient diagnosed with cystic fibrosis and treated with Ivacaftor.';

let client: LspTestClient;
before(async () => {
  client = await LspTestClient.start({ model: '' });
});
after(async () => client.stop());

test('an empty bioner.model means the shipped model: the example note is tagged', async () => {
  const uri = 'untitled:note';
  client.open(uri, NOTE);
  const decoded = LspTestClient.decode(NOTE, await client.tokens(uri));
  assert.ok(decoded.some((t) => t.type === 'disease' && t.text === 'cystic fibrosis'), JSON.stringify(decoded));
  assert.ok(decoded.some((t) => t.text === 'Ivacaftor' && t.type === 'drug'), JSON.stringify(decoded));
  assert.ok(client.statuses.some((s) => JSON.stringify(s).includes('bioner-default')), 'the status names the shipped model');
});

test('hover on Ivacaftor: DRUG, a confidence, the runner-up and the model name', async () => {
  const character = NOTE.indexOf('Ivacaftor') + 3;
  const hover: Hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'untitled:note' }, position: { line: 0, character } });
  const value = (hover.contents as { value: string }).value;
  assert.match(value, /\*\*DRUG\*\*/);
  assert.match(value, /\d+(\.\d)?%/);
  assert.match(value, /`Ivacaftor`/);
  assert.match(value, /Runner-up: DISEASE \(\d+(\.\d)?%\)/);
  assert.match(value, /bioner-default/);
});
