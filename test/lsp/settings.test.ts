// Settings pushed with didChangeConfiguration change what the server shows without a restart; hover markdown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hoverMarkdown } from '../../server/src/lsp/hover';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseSettings, DEFAULT_SETTINGS, resolveModelDir } from '../../server/src/lsp/settings';
import { modelPathSetting } from '../../server/src/model/folder';
import { LspTestClient, lexiconModel } from './lspClient';

const TEXT = 'Aspirin for fever and cystic fibrosis.';
const URI = 'untitled:settings';
let client: LspTestClient;

before(async () => {
  client = await LspTestClient.start({ model: lexiconModel });
  client.open(URI, TEXT);
});
after(async () => client.stop());

async function push(settings: Record<string, unknown>): Promise<void> {
  client.settings = settings;
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { bioner: settings } });
}

async function until<T>(get: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await get();
    if (ok(value) || i > 200) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('labels, threshold and diagnostics settings apply on didChangeConfiguration', async () => {
  const decoded = async () => LspTestClient.decode(TEXT, await client.tokens(URI));
  assert.deepEqual((await decoded()).map((t) => t.text), ['Aspirin', 'fever', 'cystic fibrosis']);
  await until(async () => client.diagnostics.get(URI) ?? [], (d) => d.length === 1);
  assert.deepEqual(client.diagnostics.get(URI)!.map((d) => d.code), ['uncertain']);

  await push({ model: lexiconModel, labels: ['drug'], confidenceThreshold: 0.995, diagnostics: 'off' });
  const filtered = await until(decoded, (t) => t.length === 1);
  assert.deepEqual(filtered, [{ text: 'Aspirin', type: 'drug', modifiers: ['uncertain'] }]);
  await until(async () => client.diagnostics.get(URI) ?? [], (d) => d.length === 0);
  assert.deepEqual(client.diagnostics.get(URI), []);

  await push({ model: lexiconModel, diagnostics: 'all' });
  const all = await until(async () => client.diagnostics.get(URI) ?? [], (d) => d.length === 3);
  assert.deepEqual(all.map((d) => [d.code, d.severity]), [['entity', 4], ['uncertain', 3], ['entity', 4]]);
});

test('invalid setting values fall back to the defaults', () => {
  const warnings: string[] = [];
  const parsed = parseSettings({ confidenceThreshold: 7, diagnostics: 'loud', labels: 'DRUG', maxFileSize: -1, model: 3 }, (w) => warnings.push(w));
  assert.deepEqual(parsed, DEFAULT_SETTINGS);
  assert.equal(warnings.length, 5);
});

test('hover markdown names label, confidence, text, runner-up and model', () => {
  const markdown = hoverMarkdown(
    { start: 0, end: 7, text: 'Aspirin', label: 'DRUG', confidence: 0.874, runnerUp: { label: 'DISEASE', confidence: 0.061 } },
    'bc5cdr-small',
  );
  assert.match(markdown, /\*\*DRUG\*\* — 87\.4% confident/);
  assert.match(markdown, /`Aspirin`/);
  assert.match(markdown, /Runner-up: DISEASE \(6\.1%\)/);
  assert.match(markdown, /bc5cdr-small/);
  assert.doesNotMatch(markdown, /Abbreviation|Repeats/);
  const repeat = hoverMarkdown({ start: 90, end: 97, text: 'aspirin', label: 'DRUG', confidence: 0.9, repeatOf: 0 }, 'm', undefined, 1);
  assert.match(repeat, /Repeats the DRUG tagged on line 1 \(its confidence\)/);
});

test('the model setting resolves against the workspace, the home folder, or the shipped default', () => {
  const at = (model: string) => resolveModelDir({ ...DEFAULT_SETTINGS, model }, '/work/space');
  assert.equal(at('models/mine'), '/work/space/models/mine');
  assert.equal(at('/abs/model'), '/abs/model');
  assert.equal(at('~/bioner/model'), join(homedir(), 'bioner/model'));
  assert.match(at(''), /models[\\/]default$/);
});

test('a model folder is written into the setting relative to the workspace folder when inside it', () => {
  const base = '/work/space';
  const setting = (dir: string) => modelPathSetting(dir, base);
  assert.equal(setting('/work/space/.bioner/models/20261205-070000'), '.bioner/models/20261205-070000');
  assert.equal(setting('/work/space/..models/x'), '..models/x');
  // The workspace folder itself is ".", never "" (the shipped model).
  assert.equal(setting('/work/space'), '.');
  assert.equal(setting('/work/space2/model'), '/work/space2/model');
  assert.equal(setting('/work/model'), '/work/model');
  assert.equal(modelPathSetting('/work/space/model', undefined), '/work/space/model');
  for (const dir of ['/work/space/.bioner/models/a', '/work/space', '/work/other/m']) {
    assert.equal(resolveModelDir({ ...DEFAULT_SETTINGS, model: setting(dir) }, base), dir, `${dir} round trip`);
  }
});
