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

test('with its settings sent at initialize, the server loads the model without waiting for workspace/configuration', async () => {
  // The configuration answer is held until the tokens arrive (a busy extension host); the fallback only keeps a
  // server that waits for it from hanging the test: it then fails on the order.
  let tokensArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (tokensArrived = resolve));
  const fallback = setTimeout(tokensArrived, 30_000);
  let configurationAsked = false;
  const answered = arrived.then(() => (configurationAsked = true));
  const client = await LspTestClient.start(
    { model: lexiconModel },
    { waitForModel: false, initialSettings: { model: lexiconModel }, configurationAnswered: answered },
  );
  try {
    const text = 'Naloxone reversed the overdose.';
    client.open('untitled:sent-at-start', text);
    const tokens = await client.tokens('untitled:sent-at-start');
    const beforeConfiguration = !configurationAsked;
    tokensArrived();
    assert.ok(beforeConfiguration, 'the tokens waited for the workspace/configuration answer');
    assert.deepEqual(LspTestClient.decode(text, tokens), [{ text: 'Naloxone', type: 'drug', modifiers: [] }]);
  } finally {
    clearTimeout(fallback);
    await client.stop();
  }
});

test('the server logs once, per opened document, when its first entity tokens were sent and how long after the open', async () => {
  const client = await LspTestClient.start({ model: lexiconModel }, { waitForModel: false });
  try {
    const firstTokenLines = () => client.logs.map((l) => l.message).filter((m) => m.includes('first entity tokens sent'));
    client.open('untitled:nothing', 'The patient slept well.');
    await client.tokens('untitled:nothing');
    client.open('untitled:note', 'Naloxone reversed the overdose.');
    await client.tokens('untitled:note');
    await client.tokens('untitled:note');
    await client.connection.sendRequest('bioner/debugStats'); // log messages sent before this answer have arrived
    const lines = firstTokenLines();
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /^untitled:note: first entity tokens sent \(full, 1\) \d+ ms after it was opened$/);
  } finally {
    await client.stop();
  }
});
