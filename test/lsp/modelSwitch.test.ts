// A missing or broken model is reported (window/showMessage error) and the server keeps answering; switching the
// bioner.model setting to a good model then works without a restart, and a later broken switch keeps the good one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageType } from 'vscode-languageserver-protocol';
import { LspTestClient, lexiconModel } from './lspClient';

const TEXT = 'Aspirin was stopped.';
let client: LspTestClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bioner-model-'));
  client = await LspTestClient.start({ model: join(dir, 'no-such-model') });
});
after(async () => client.stop());

test('a missing model yields a showMessage error and a log line, and requests are still answered', async () => {
  const errors = client.messages.filter((m) => m.type === MessageType.Error);
  assert.ok(errors.length >= 1);
  assert.match(errors[0].message, /^BioNER: .*no-such-model.*config\.json is missing/); // a window/showMessage notification
  const logged = client.logs.filter((m) => m.type === MessageType.Error);
  assert.ok(logged.some((m) => /no-such-model.*config\.json is missing/.test(m.message)), 'the error is in the server log');
  const uri = 'untitled:one';
  client.open(uri, TEXT);
  assert.deepEqual((await client.tokens(uri)).data, []);
  assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }), null);
  assert.equal(client.process.exitCode, null);
});

test('switching the setting to a good model reloads without a restart', async () => {
  client.settings = { model: lexiconModel };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  const uri = 'untitled:one';
  const deadline = Date.now() + 10_000;
  let decoded: ReturnType<typeof LspTestClient.decode> = [];
  while (decoded.length === 0 && Date.now() < deadline) {
    decoded = LspTestClient.decode(TEXT, await client.tokens(uri));
    if (decoded.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(decoded, [{ text: 'Aspirin', type: 'drug', modifiers: [] }]);
  for (let i = 0; i < 200 && client.refreshCount === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(client.refreshCount > 0, 'the client was asked to refresh its semantic tokens');
});

test('a broken model later is reported and the loaded model stays in use', async () => {
  const broken = join(dir, 'broken');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(broken);
  writeFileSync(join(broken, 'config.json'), '{ "kind": "lexicon" ');
  const before = client.messages.length;
  client.settings = { model: broken };
  const result = await client.connection.sendRequest('bioner/reloadModel');
  assert.match((result as { error: string }).error, /not valid JSON/);
  const message = client.messages.slice(before).find((m) => m.type === MessageType.Error);
  assert.ok(message);
  assert.match(message.message, /Still using the model "test-lexicon"/);
  const uri = 'untitled:two';
  client.open(uri, TEXT);
  assert.equal(LspTestClient.decode(TEXT, await client.tokens(uri)).length, 1);
});

test('a relative bioner.model (as Use the New Model writes it) is loaded from the workspace folder', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'bioner-workspace-'));
  cpSync(lexiconModel, join(workspace, '.bioner', 'models', '20261205-070000'), { recursive: true });
  const inWorkspace = await LspTestClient.start({ model: '.bioner/models/20261205-070000' }, { rootPath: workspace });
  try {
    const result = (await inWorkspace.connection.sendRequest('bioner/reloadModel', { force: true })) as { modelName?: string; error?: string };
    assert.equal(result.error, undefined);
    assert.equal(result.modelName, 'test-lexicon');
    inWorkspace.open('untitled:relative', TEXT);
    assert.deepEqual(LspTestClient.decode(TEXT, await inWorkspace.tokens('untitled:relative')), [{ text: 'Aspirin', type: 'drug', modifiers: [] }]);
  } finally {
    await inWorkspace.stop();
  }
});
