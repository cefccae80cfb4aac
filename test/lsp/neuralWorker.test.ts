// The same worker and language server code with a neural model directory (a tiny untrained BiLM-CRF saved with
// saveModelDir): the worker loads it with loadTagger, tags with sentence-relative offsets, and the server answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../server/src/engine/backend';
import { saveModelDir } from '../../server/src/model/modelDir';
import { WorkerTagger } from '../../server/src/tagging/workerTagger';
import { tinyModel } from '../unit/helpers/tinyTagger';
import { LspTestClient } from './lspClient';

let root: string;
let modelDir: string;

before(async () => {
  await initEngine({ backend: 'cpu' });
  root = mkdtempSync(join(tmpdir(), 'bioner-lsp-neural-'));
  modelDir = join(root, 'model');
  const model = tinyModel();
  await saveModelDir(modelDir, model, { name: 'tiny-neural' });
  model.dispose();
});
after(() => rmSync(root, { recursive: true, force: true }));

test('the worker loads a neural model dir and tags with sentence-relative offsets', async () => {
  const tagger = await WorkerTagger.start(modelDir);
  try {
    assert.equal(tagger.modelName, 'tiny-neural');
    assert.deepEqual(tagger.labels, ['Chemical', 'Disease']);
    const sentences = ['Aspirin induced asthma in two patients.', '', 'Cisplatin causes renal failure.'];
    const tagged = await tagger.tagSentences(sentences);
    assert.equal(tagged.length, 3);
    assert.deepEqual(tagged[1], []);
    for (const [i, entities] of tagged.entries()) {
      for (const e of entities) {
        assert.equal(sentences[i].slice(e.start, e.end), e.text);
        assert.ok(e.confidence >= 0 && e.confidence <= 1);
      }
    }
  } finally {
    tagger.dispose();
  }
});

test('the language server runs unchanged on the neural model', async () => {
  const client = await LspTestClient.start({ model: modelDir });
  try {
    const uri = 'untitled:neural';
    const text = 'Aspirin induced asthma in two patients.\nCisplatin causes renal failure.';
    client.open(uri, text);
    const tokens = await client.tokens(uri);
    for (const t of LspTestClient.decode(text, tokens)) assert.ok(['chemical', 'disease'].includes(t.type), t.type);
    const status = await waitForStatus(client, uri);
    assert.equal(status.modelName, 'tiny-neural');
    assert.equal(client.messages.filter((m) => m.type === 1).length, 0, JSON.stringify(client.messages));
  } finally {
    await client.stop();
  }
});

async function waitForStatus(client: LspTestClient, uri: string) {
  for (let i = 0; i < 500; i++) {
    const done = client.statuses.filter((s) => s.uri === uri && !s.busy).at(-1);
    if (done) return done;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no status');
}
