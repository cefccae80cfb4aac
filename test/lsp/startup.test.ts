// Documents opened while the model is still loading wait for it: the first answer already has the entities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspTestClient, lexiconModel } from './lspClient';

test('semantic tokens asked for right after initialize come from the configured model', async () => {
  const client = await LspTestClient.start({ model: lexiconModel }, { waitForModel: false });
  try {
    const text = 'Naloxone reversed the overdose.';
    client.open('untitled:early', text);
    const decoded = LspTestClient.decode(text, await client.tokens('untitled:early'));
    assert.deepEqual(decoded, [{ text: 'Naloxone', type: 'drug', modifiers: [] }]);
  } finally {
    await client.stop();
  }
});
